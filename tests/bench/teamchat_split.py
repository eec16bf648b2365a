#!/usr/bin/env python3
"""Split the team-chat communities file by community, as README "Measured on team chat" describes.

usage: tests/bench/teamchat_split.py COMMUNITIES.jsonl OUT_DIR

The community is the part of each record's `kind` before its last '-' ("band-quiet" -> "band").
Communities are sorted by name; the first, third, fifth, ... are development data
(OUT_DIR/communities-dev.jsonl, used to write rules and to train the learned signal) and the
others are held out (OUT_DIR/communities-held.jsonl, only ever measured). Records are copied as
they are; nothing here is part of the build or the tests.
"""
import json
import os
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out_dir = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    community = lambda line: json.loads(line)["kind"].rsplit("-", 1)[0]
    names = sorted({community(line) for line in lines})
    development = set(names[0::2])
    os.makedirs(out_dir, exist_ok=True)
    counts = {"dev": 0, "held": 0}
    with open(os.path.join(out_dir, "communities-dev.jsonl"), "w", encoding="utf-8") as dev, \
         open(os.path.join(out_dir, "communities-held.jsonl"), "w", encoding="utf-8") as held:
        for line in lines:
            part = "dev" if community(line) in development else "held"
            (dev if part == "dev" else held).write(line if line.endswith("\n") else line + "\n")
            counts[part] += 1
    print("development:", ", ".join(sorted(development)), f"({counts['dev']} records)")
    print("held out:   ", ", ".join(n for n in names if n not in development), f"({counts['held']} records)")


if __name__ == "__main__":
    main()
