#!/usr/bin/env bash
# Every shared library the nudgebot binary loads (ldd) must come from a Debian package that the
# runtime stage of deploy/Containerfile installs: the package of each library the binary links
# directly (DT_NEEDED) must be named there, and the package of each library loaded through another
# one (libpq's Kerberos and LDAP) must be a dependency, however deep, of a named package (as
# dpkg knows it here). libc6 and libgcc-s1 are in every Debian image.
# Usage: runtime_libraries_test.sh BINARY CONTAINERFILE
set -euo pipefail
binary=$1
containerfile=$2

# Packages named by apt-get install in the last stage (from the last FROM to the end).
installed=$(awk '/^FROM /{stage=""} {stage = stage "\n" $0} END{print stage}' "$containerfile" |
  sed -n '/apt-get install/,/&&[^\\]*$/p' | tr ' \\' '\n\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' |
  grep -vE '^(apt-get|install|update|rm|DEBIAN_FRONTEND=noninteractive)$' | sort -u)
if [ -z "$installed" ]; then
  echo "no apt-get install in the runtime stage of $containerfile" >&2
  exit 1
fi

# Everything apt brings with the named packages: their Depends and Pre-Depends, recursively.
declare -A closure=()
queue=($installed)
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}
  queue=("${queue[@]:1}")
  [ -n "${closure[$p]:-}" ] && continue
  closure[$p]=1
  deps=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p" 2>/dev/null || true)
  for d in $(tr ',|' '\n\n' <<<"$deps" | sed -E 's/\(.*\)//; s/:any//; s/^ +//; s/ +$//' | grep -E '^[a-z0-9]'); do
    [ -z "${closure[$d]:-}" ] && queue+=("$d")
  done
done

direct=$(objdump -p "$binary" | awk '$1 == "NEEDED" {print $2}')

missing=0
found=0
while read -r lib path; do
  [ -n "$path" ] || continue
  real=$(readlink -f "$path")
  package=""
  # dpkg knows a file by the path its package ships (/lib or /usr/lib on a merged /usr).
  for candidate in "$path" "$real" "${real#/usr}" "/usr$real"; do
    package=$(dpkg -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$package" ] && break
  done
  if [ -z "$package" ]; then
    echo "no Debian package owns $lib ($real)" >&2
    missing=1
    continue
  fi
  found=$((found + 1))
  case "$package" in libc6|libgcc-s1) continue ;; esac
  if grep -qx "$lib" <<<"$direct"; then
    if ! grep -qx "$package" <<<"$installed"; then
      echo "the runtime stage of $containerfile does not install $package (for $lib, linked directly)" >&2
      missing=1
    fi
  elif [ -z "${closure[$package]:-}" ]; then
    echo "no package the runtime stage installs depends on $package (for $lib)" >&2
    missing=1
  fi
done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')

if [ "$found" -eq 0 ]; then
  echo "ldd listed no libraries for $binary" >&2
  exit 1
fi
[ "$missing" -eq 0 ] && echo "runtime stage installs all $found libraries' packages"
exit "$missing"
