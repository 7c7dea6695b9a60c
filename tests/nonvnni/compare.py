#!/usr/bin/python3
"""Compares model outputs written by ortrun (.npy, samples on the first axis).

usage: compare.py REFERENCE.npy CANDIDATE.npy [--top1] [--cell | --diff]
Prints one line: the mean over samples of the cosine between each sample's flattened outputs (the figure `verify`
reports), the lowest sample's, the largest absolute difference, how many values differ at all, and with --top1 the
share of samples whose arg-max over the last axis (a classifier's class) is the same. --cell prints only the mean
cosine (and the top-1 share), --diff only the difference, for measure.sh's table cells.
"""
import sys

import numpy as np


def main():
    reference, candidate = (np.load(p).astype(np.float64) for p in sys.argv[1:3])
    if reference.shape != candidate.shape:
        sys.exit(f"compare.py: shapes differ: {reference.shape} against {candidate.shape}")
    a = reference.reshape(reference.shape[0], -1)
    b = candidate.reshape(candidate.shape[0], -1)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    cosine = np.where(norms > 0, (a * b).sum(axis=1) / np.where(norms > 0, norms, 1), 1.0)
    top1 = (reference.argmax(axis=-1) == candidate.argmax(axis=-1)).reshape(reference.shape[0], -1).all(axis=1).mean()
    diff = f"max abs diff {np.abs(a - b).max():.3g}, {int((a != b).sum())} of {a.size} values differ"
    if "--cell" in sys.argv:
        print(f"{cosine.mean():.4f}" + (f" ({top1 * 100:.2f}%)" if "--top1" in sys.argv else ""))
        return
    if "--diff" in sys.argv:
        print(diff)
        return
    line = (f"cosine {cosine.mean():.4f} (lowest {cosine.min():.4f}), {diff}")
    if "--top1" in sys.argv:
        line += f", top-1 agreement {top1 * 100:.2f}%"
    print(line)


if __name__ == "__main__":
    main()
