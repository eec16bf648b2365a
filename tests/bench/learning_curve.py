#!/usr/bin/env python3
"""How the learned signal grows with written training data: a measurement, run by hand.

usage: tests/bench/learning_curve.py --test HELD.jsonl [--steps 0,1000,2000,4000,8000,all]
           [--nudgebot build/nudgebot] [--rules rules/en] [--written rules/training/written-en.jsonl]
           BASE.jsonl [BASE.jsonl ...]

For every step N it copies the rule packs (--rules) to a temporary folder, retrains their
learned.json with `nudgebot rules learn` on the BASE files plus the first N records of the
written examples (--written; "all" is the whole file), with the shipped settings (--min-df 3
--epochs 16 --count known; the offsets and the other per-category settings of the copied
learned.json are kept, as `rules learn --write` keeps them), and runs `nudgebot analyze --jsonl`
on --test, which no model here may have seen. Per category it prints:
  - recall and the share of look-alikes flagged (records labelled 0 in every category) at the
    shipped thresholds;
  - recall with the threshold moved so that at most 0.5 %, 1 % and 3 % of the look-alikes are
    flagged: how far the ranking alone could go.
The written file lists its writers' sets one after another, so its first N records are the
earliest writers. Standard library only; nothing here is part of the build or the tests.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

CATEGORIES = ("crisis", "distress", "conflict")
LOOKALIKE_BUDGETS = (0.005, 0.01, 0.03)


def read_records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def analyze(nudgebot, rules, records):
    lines = "".join(json.dumps({"text": r["text"]}) + "\n" for r in records)
    done = subprocess.run([nudgebot, "analyze", "--jsonl", "--rules", rules],
                          input=lines, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def recall_at_budget(positives, lookalikes, budget):
    """Recall when the threshold lets at most `budget` of the look-alikes through."""
    ranked = sorted(lookalikes, reverse=True)
    allowed = int(budget * len(ranked))
    threshold = ranked[allowed] if allowed < len(ranked) else float("-inf")
    return sum(score > threshold for score in positives) / len(positives)


def report(step, records, results):
    lookalike = [i for i, r in enumerate(records) if not any(r["labels"].get(c) for c in CATEGORIES)]
    cells = []
    for category in CATEGORIES:
        positive = [i for i, r in enumerate(records) if r["labels"].get(category) == 1]
        if not positive or not lookalike:
            continue
        recall = sum(results[i]["flags"][category] for i in positive) / len(positive)
        flagged = sum(results[i]["flags"][category] for i in lookalike) / len(lookalike)
        scores = [results[i]["scores"][category] for i in positive]
        quiet = [results[i]["scores"][category] for i in lookalike]
        budgets = " ".join(f"{recall_at_budget(scores, quiet, b):.3f}" for b in LOOKALIKE_BUDGETS)
        cells.append(f"{category} {recall:.3f} / {100 * flagged:.1f} % | {budgets}")
    print(f"{step:>6}  " + "   ".join(cells), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", nargs="+", help="labelled files every model learns from")
    parser.add_argument("--test", required=True, help="labelled file no model has seen")
    parser.add_argument("--steps", default="0,1000,2000,4000,8000,all")
    parser.add_argument("--nudgebot", default="build/nudgebot")
    parser.add_argument("--rules", default="rules/en")
    parser.add_argument("--written", default="rules/training/written-en.jsonl")
    args = parser.parse_args()

    with open(args.written, encoding="utf-8") as f:
        written = [line for line in f if line.strip()]
    test = read_records(args.test)
    steps = [len(written) if s == "all" else min(int(s), len(written)) for s in args.steps.split(",")]
    print(f"test: {args.test} ({len(test)} records); written examples: {len(written)}")
    print("  step  per category: recall / look-alikes flagged at the shipped threshold | "
          "recall at 0.5 %, 1 %, 3 % look-alikes")
    with tempfile.TemporaryDirectory() as scratch:
        for step in steps:
            rules = os.path.join(scratch, f"rules-{step}")
            shutil.copytree(args.rules, rules)
            part = os.path.join(scratch, f"written-{step}.jsonl")
            with open(part, "w", encoding="utf-8") as f:
                f.writelines(written[:step])
            files = list(args.base) + ([part] if step else [])
            learned = subprocess.run([args.nudgebot, "rules", "learn", *files, "--min-df", "3", "--epochs", "16",
                                      "--count", "known", "--rules", rules, "--write"],
                                     capture_output=True, text=True)
            if learned.returncode != 0:
                sys.exit(f"nudgebot rules learn failed at step {step}:\n{learned.stderr}")
            report(step, test, analyze(args.nudgebot, rules, test))


if __name__ == "__main__":
    sys.exit(main())
