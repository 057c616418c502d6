#!/usr/bin/env python3
"""Second labelling pass on a sample (issue 14): print the sample's texts WITHOUT the first labels, and compare.

Sample (stable): FNV-1a 64 of "pass2:" + id, lowest first; 60 items of groups L/K/X (LGBT word forms, the hard part)
and 20 of groups W/M/I/R. Usage: pass2.py show | pass2.py compare (reads decisions-pass2.tsv, same format as
decisions.tsv, keyed by the same order numbers).
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ru_select as sel_mod  # noqa: E402


def sample():
    items = sel_mod.load()
    sel = sel_mod.select(items)
    key = lambda t: sel_mod.fnv1a64("pass2:" + t[1]["id"])
    hard = sorted([(k, o) for k, (g, o) in enumerate(sel) if g in "LKX"], key=key)[:60]
    easy = sorted([(k, o) for k, (g, o) in enumerate(sel) if g in "WMIR"], key=key)[:20]
    return sorted(hard + easy, key=lambda t: t[0])


def parse(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        p = (line.rstrip("\n").split("|") + [""] * 6)[:6]
        out[int(p[0])] = p[1].strip()
    return out


def kappa(a, b):
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = collections.Counter(a), collections.Counter(b)
    pe = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / (n * n)
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def main():
    s = sample()
    if sys.argv[1] == "show":
        for k, o in s:
            print(f"#{k}\n{o['text']}\n")
        return
    first = parse(os.path.join(HERE, "decisions.tsv"))
    second = parse(os.path.join(HERE, "decisions-pass2.tsv"))
    ks = [k for k, _ in s]
    a = [first[k] for k in ks]
    b = [second[k] for k in ks]
    po, kp = kappa([x == "H" for x in a], [x == "H" for x in b])
    print(f"n={len(ks)} homophobic: agreement {po:.3f}, Cohen's kappa {kp:.3f}")
    po, kp = kappa(a, b)
    print(f"n={len(ks)} kind (7 classes + hate): agreement {po:.3f}, Cohen's kappa {kp:.3f}")
    for k, x, y in zip(ks, a, b):
        if x != y:
            print(f"  #{k}: first {x} second {y}")


if __name__ == "__main__":
    main()
