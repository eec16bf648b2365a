#!/usr/bin/env python3
"""What character n-grams or word stems would add to the learned signal: a measurement, run by hand.

usage: tests/bench/ngram_features_bench.py --train FILE.jsonl [FILE.jsonl ...] --test NAME=FILE.jsonl [...]

Trains, per category (crisis, distress, conflict), three logistic regressions on the --train files
(the labelled format of `nudgebot eval`) and reports, on every --test file, recall, precision and
the share of look-alikes (records labelled 0 in all three categories) the model alone flags, at
thresholds 0.8 and 0.9:
  - "word 1-2": lower-cased word uni- and bigrams (what rules/en/learned.json uses);
  - "word 1-3 + char 3-5": word uni- to trigrams and character 3-, 4- and 5-grams of the whole
    message, the richer feature set a model would need to read unseen spellings;
  - "word 1-2 + stems": word uni- and bigrams and the first five letters of every longer word
    (one look-up more per long word instead of a few hundred per message).
Features are hashed into 2^20 buckets (with --min-df N only those seen in at least N training
records are kept, as `nudgebot rules learn --min-df` does), presence only, each update scaled by 1/sqrt(features + 1),
positives weighted negatives/positives, 8 epochs of SGD at rate 0.2, fixed seed. Standard library
only (about a minute for 6,000 training records); nothing here is part of the build or the tests.
"""
import argparse
import json
import math
import random
import re
import zlib

CATEGORIES = ("crisis", "distress", "conflict")
WORD = re.compile(r"[a-z0-9']+")


def features(text, extra, longest_words):
    lower = text.lower()
    words = WORD.findall(lower)
    grams = set()
    for n in range(1, longest_words + 1):
        for i in range(len(words) - n + 1):
            grams.add("w" + " ".join(words[i:i + n]))
    if extra == "stems":
        grams.update("s" + w[:5] for w in words if len(w) > 5)
    if extra == "chars":
        squeezed = " " + " ".join(lower.split()) + " "
        for n in (3, 4, 5):
            for i in range(len(squeezed) - n + 1):
                grams.add("c" + squeezed[i:i + n])
    return [zlib.crc32(g.encode()) & ((1 << 20) - 1) for g in grams]


def load(paths):
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def train(records, featured, category, kept, epochs=8, rate=0.2):
    # Every feature of a record counts in its scale, kept or not (as N does in learned.json).
    data = []
    for r, x in zip(records, featured):
        if r["labels"].get(category) not in (0, 1):
            continue
        data.append(([k for k in x if k in kept], 1 / math.sqrt(len(x) + 1), r["labels"][category]))
    positives = sum(y for _, _, y in data)
    weight_positive = (len(data) - positives) / max(positives, 1)
    weights, bias = {}, 0.0
    shuffle = random.Random(1)
    for _ in range(epochs):
        shuffle.shuffle(data)
        for x, scale, y in data:
            z = bias + sum(weights.get(k, 0.0) for k in x) * scale
            p = 1 / (1 + math.exp(-max(min(z, 30), -30)))
            step = (y - p) * (weight_positive if y == 1 else 1.0) * rate
            bias += step * 0.1
            for k in x:
                weights[k] = weights.get(k, 0.0) + step * scale
    return weights, bias


def kept_features(featured, min_df):
    seen = {}
    for x in featured:
        for k in set(x):
            seen[k] = seen.get(k, 0) + 1
    return {k for k, n in seen.items() if n >= min_df}


def probability(model, x, kept):
    weights, bias = model
    z = bias + sum(weights.get(k, 0.0) for k in x if k in kept) / math.sqrt(len(x) + 1)
    return 1 / (1 + math.exp(-max(min(z, 30), -30)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", nargs="+", required=True)
    parser.add_argument("--test", nargs="+", required=True, help="NAME=FILE.jsonl")
    parser.add_argument("--min-df", type=int, default=1, help="training records a feature must occur in")
    args = parser.parse_args()
    training = load(args.train)
    tests = [(name, load([path])) for name, path in (t.split("=", 1) for t in args.test)]
    for extra, longest_words, name in (("", 2, "word 1-2"), ("chars", 3, "word 1-3 + char 3-5"),
                                       ("stems", 2, "word 1-2 + stems")):
        # Each text's features once per feature set, for every category and threshold.
        featured = [features(r["text"], extra, longest_words) for r in training]
        featured_tests = [[features(r["text"], extra, longest_words) for r in records] for _, records in tests]
        kept = kept_features(featured, args.min_df)
        for category in CATEGORIES:
            model = train(training, featured, category, kept)
            scored_tests = [[(probability(model, x, kept), r["labels"]) for r, x in zip(records, xs)]
                            for (_, records), xs in zip(tests, featured_tests)]
            print(f"{name}, {category}")
            for threshold in (0.8, 0.9):
                parts = []
                for (test_name, _), scored in zip(tests, scored_tests):
                    positives = [p for p, labels in scored if labels.get(category) == 1]
                    flagged = sum(p >= threshold for p, labels in scored if labels.get(category) in (0, 1))
                    hits = sum(p >= threshold for p in positives)
                    lookalikes = [p for p, labels in scored if all(labels.get(c) == 0 for c in CATEGORIES)]
                    share = 100 * sum(p >= threshold for p in lookalikes) / max(len(lookalikes), 1)
                    parts.append(f"{test_name}: R {hits}/{len(positives)} P {hits / max(flagged, 1):.2f} "
                                 f"look-alikes {share:.1f} %")
                print(f"  threshold {threshold}: " + " | ".join(parts), flush=True)


if __name__ == "__main__":
    main()
