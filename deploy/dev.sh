#!/usr/bin/env bash
# nudgebot developer entry point: installs what is missing (Debian 12, as root or with sudo),
# builds, and runs one of the jobs below. Used by the README's quick start and by .ci/run.
#
#   deploy/dev.sh sandbox [ARGS] build, then start the local sandbox (chat page + bot, no token)
#   deploy/dev.sh check [TEXT]   build, then analyse one message and suggest a calmer phrasing
#   deploy/dev.sh test           build, then run every test (ctest: unit, integration, rule packs)
#   deploy/dev.sh build          install dependencies and build only
#   deploy/dev.sh deps           install dependencies only
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${NUDGEBOT_BUILD_DIR:-$root/build}
jobs=${NUDGEBOT_JOBS:-$(nproc 2>/dev/null || echo 2)}
# Let ccache reuse objects between clones of the repository (paths made relative to the clone).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libspdlog-dev catch2 libsqlite3-dev libssl-dev zlib1g-dev
  libutf8proc-dev libcli11-dev libbenchmark-dev libsimdjson-dev
  libpq-dev postgresql   # the PostgreSQL store; its tests start a private server (initdb/pg_ctl)
  python3-yaml           # the test of deploy/compose.yaml and deploy/kubernetes/
  chromium   # the browser test of the sandbox page (driven by playwright-core from npm)
)

install_deps() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js may come from Debian (nodejs + npm) or another vendor's package: only need the commands.
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "nudgebot: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  # playwright-core only (pinned in package-lock.json); it drives Debian's chromium, downloads no browser.
  if [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
    (cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

build() {
  install_deps
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$jobs"
}

verb=${1:-sandbox}
shift || true
case "$verb" in
  deps) install_deps ;;
  build) build ;;
  sandbox)
    build
    exec "$build_dir/nudgebot" sandbox "$@"
    ;;
  check)
    build
    if [ $# -eq 0 ]; then
      set -- "you ALWAYS break the build, are you even trying??"
    fi
    exec "$build_dir/nudgebot" check "$@"
    ;;
  test)
    build
    cd "$build_dir"
    # Here the browser test's dependencies were just installed: missing ones are a failure, not a skip.
    export NUDGEBOT_REQUIRE_BROWSER=1
    # Likewise PostgreSQL: its tests start their own server and must not skip here.
    export NUDGEBOT_REQUIRE_POSTGRES=1
    exec ctest --output-on-failure -j "$jobs" --timeout 300
    ;;
  *)
    echo "usage: deploy/dev.sh sandbox [--port N] | check [TEXT] | test | build | deps" >&2
    exit 2
    ;;
esac
