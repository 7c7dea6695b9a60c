#!/usr/bin/python3
"""Character accuracy of a CTC text recognizer's outputs written by ortrun, scored as `verify --metric ctc` scores it.

usage: ctc.py OUTPUT.npy KEYS.txt LABELS.txt [--short]
OUTPUT is [N, T, C]; each line is greedy-decoded (best class per step, repeats merged, blank = class 0 dropped; class
c > 0 is line c - 1 of KEYS, with the space PaddleOCR appends as the last class) and scored against LABELS (one line per
sample): character accuracy = 1 - (summed edit distance) / (summed truth length), and the lines read exactly
(--short: only the accuracy, for measure.sh's cells).
"""
import sys

import numpy as np


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def decode(steps, keys):
    text, last = [], 0
    for c in steps:
        if c != last and c != 0 and c - 1 < len(keys):
            text.append(keys[c - 1])
        last = c
    return "".join(text)


def main():
    output = np.load(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        keys = [line.rstrip("\n") for line in f] + [" "]
    with open(sys.argv[3], encoding="utf-8") as f:
        truths = [line.rstrip("\n") for line in f]
    texts = [decode(row.argmax(axis=-1), keys) for row in output]
    if len(texts) != len(truths):
        sys.exit(f"ctc.py: {len(texts)} outputs against {len(truths)} labels")
    errors = sum(edit_distance(t, truth) for t, truth in zip(texts, truths))
    exact = sum(t == truth for t, truth in zip(texts, truths))
    accuracy = f"{100 * (1 - errors / sum(len(t) for t in truths)):.2f}%"
    print(accuracy if "--short" in sys.argv else f"character accuracy {accuracy}, {exact} of {len(truths)} lines exact")


if __name__ == "__main__":
    main()
