#!/usr/bin/env python3
"""Draw the blind pass-2 sample of annotator C's items (third round of ru-annotated.jsonl, issue 14).

Writes new-sample.jsonl next to this script: id, dataset and text only (no label, no group, no order that would give
a label away: items are sorted by FNV-1a 64 of "pass2C-order:" + id). The sample is stratified by C's label, because
almost every item of the round is ordinary and a uniform sample would say nothing about the rare kinds:
  - every item C labelled slur_insult, neutral, counter, self, news, negation or hate (21 in this round);
  - ordinary items, the lowest FNV-1a 64 of "pass2C:" + id within each selection group:
    Y (wide LGBT-adjacent patterns) 50, Z (sexual_minorities > 0) 20, F (family/values/West words) 40, P (sexual and
    gendered talk) 19 -> 150 items in all.
A second annotator labels them blind with docs/annotation/narrative.md; compare with `sample_c.py compare FILE`
(FILE: JSONL with id and kind, as ru-annotated-pass2.jsonl) for Cohen's kappa on homophobic and on kind.

Usage: sample_c.py [write | compare FILE]
"""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
CORPUS = os.path.join(ROOT, "classifiers", "narrative", "corpus", "ru-annotated.jsonl")
SELECTION = os.path.join(ROOT, "docs", "annotation", "ru", "selection.tsv")
OUT = os.path.join(HERE, "new-sample.jsonl")
ORDINARY_QUOTA = {"Y": 50, "Z": 20, "F": 40, "P": 19}


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def c_items():
    group = {}
    for line in open(SELECTION, encoding="utf-8"):
        _, g, _, item_id = line.rstrip("\n").split("\t")
        group[item_id] = g
    rows = [json.loads(l) for l in open(CORPUS, encoding="utf-8")]
    return [dict(r, group=group[r["id"]]) for r in rows if r["annotator"] == "C"]


def sample():
    rows = c_items()
    picked = [r for r in rows if r["kind"] != "ordinary"]
    for g, n in ORDINARY_QUOTA.items():
        pool = sorted((r for r in rows if r["kind"] == "ordinary" and r["group"] == g),
                      key=lambda r: fnv1a64("pass2C:" + r["id"]))
        picked += pool[:n]
    return sorted(picked, key=lambda r: fnv1a64("pass2C-order:" + r["id"]))


def kappa(pairs):
    n = len(pairs)
    agree = sum(a == b for a, b in pairs) / n
    ca, cb = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return agree, (agree - expected) / (1 - expected) if expected < 1 else float("nan")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "write"
    if cmd == "write":
        picked = sample()
        with open(OUT, "w", encoding="utf-8") as f:
            for r in picked:
                f.write(json.dumps({"id": r["id"], "dataset": r["dataset"], "text": r["text"]}, ensure_ascii=False) + "\n")
        print(len(picked), "items ->", OUT, dict(Counter(r["kind"] for r in picked)))
    elif cmd == "compare":
        first = {r["id"]: r for r in c_items()}
        second = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
        pairs = [(first[r["id"]], r) for r in second if r["id"] in first]
        for field in ("homophobic", "kind"):
            agree, k = kappa([(a[field], b[field]) for a, b in pairs])
            print(f"{field}: n={len(pairs)} agreement={agree:.3f} kappa={k:.3f}")
        for a, b in pairs:
            if a["kind"] != b["kind"]:
                print(f"  {a['id']}: C {a['kind']}, second {b['kind']}")


if __name__ == "__main__":
    main()
