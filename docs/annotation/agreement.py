#!/usr/bin/env python3
"""Recompute inter-annotator agreement for the Russian narrative corpus (docs/annotation/agreement.md).

Annotator A: classifiers/narrative/corpus/ru-annotated.jsonl (branch ru-annot, or a path given with --a).
Annotator B: classifiers/narrative/corpus/ru-annotated-pass2.jsonl (blind second pass, 170 items).
Only items present in B are compared. Prints percent agreement and Cohen's kappa (with a 95% bootstrap interval,
fixed seed) on `homophobic`, on `kind`, and on slur_insult vs hate, then the kind confusion matrix and every
disagreement on `kind` or `homophobic`.

Usage (from the repository root):
  python3 docs/annotation/agreement.py                       # A read with `git show ru-annot:<path>`
  python3 docs/annotation/agreement.py --a path/to/ru-annotated.jsonl
"""
import argparse
import json
import random
import subprocess
from collections import Counter

A_PATH = "classifiers/narrative/corpus/ru-annotated.jsonl"
B_PATH = "classifiers/narrative/corpus/ru-annotated-pass2.jsonl"
KINDS = ["hate", "slur_insult", "self", "counter", "news", "negation", "neutral", "ordinary"]


def load_jsonl(text):
    """Parse JSONL text into a dict keyed by id."""
    rows = {}
    for line in text.splitlines():
        if line.strip():
            rec = json.loads(line)
            rows[rec["id"]] = rec
    return rows


def cohen_kappa(pairs):
    """Cohen's kappa for a list of (label_a, label_b) pairs; None when chance agreement is 1."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    expected = sum(count_a[c] * count_b[c] for c in set(count_a) | set(count_b)) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def jaccard(a, b):
    """Jaccard similarity of two label lists (1 when both are empty)."""
    a, b = set(a), set(b)
    return 1.0 if not a | b else len(a & b) / len(a | b)


def bootstrap_interval(pairs, reps=2000, seed=14):
    """95% percentile bootstrap interval of kappa over items (fixed seed, so the figure is reproducible)."""
    rng = random.Random(seed)
    values = []
    for _ in range(reps):
        sample = [pairs[rng.randrange(len(pairs))] for _ in pairs]
        k = cohen_kappa(sample)
        if k is not None:
            values.append(k)
    values.sort()
    return values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]


def report(name, pairs):
    """Print one agreement row as a markdown table line."""
    agree = sum(a == b for a, b in pairs)
    kappa = cohen_kappa(pairs)
    low, high = bootstrap_interval(pairs)
    print(f"| {name} | {len(pairs)} | {agree} | {100 * agree / len(pairs):.1f}% | {kappa:.3f} | [{low:.2f}, {high:.2f}] |")


def fmt(rec):
    """Compact label summary of one annotation."""
    labels = ",".join(rec["labels"]) or "-"
    return f"{rec['kind']} ({'H' if rec['homophobic'] else 'not H'}; {labels}; {rec.get('target', '-')})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", help="annotator A JSONL (default: git show ru-annot:" + A_PATH + ")")
    parser.add_argument("--b", default=B_PATH, help="annotator B JSONL")
    args = parser.parse_args()
    if args.a:
        a_text = open(args.a, encoding="utf-8").read()
    else:
        a_text = subprocess.run(["git", "show", "ru-annot:" + A_PATH], check=True, capture_output=True,
                                text=True).stdout
    first = load_jsonl(a_text)
    second = load_jsonl(open(args.b, encoding="utf-8").read())
    missing = [i for i in second if i not in first]
    if missing:
        raise SystemExit(f"{len(missing)} items of B are not in A: {missing[:5]}")
    ids = list(second)
    print(f"items compared: {len(ids)}\n")
    print("A's kind in the sample: " + ", ".join(f"{k} {v}" for k, v in Counter(first[i]["kind"] for i in ids).most_common()))
    print("B's kind in the sample: " + ", ".join(f"{k} {v}" for k, v in Counter(second[i]["kind"] for i in ids).most_common()))
    print()
    print("| field | n | agree | % agreement | Cohen's kappa | 95% bootstrap |")
    print("|---|---|---|---|---|---|")
    report("`homophobic`", [(first[i]["homophobic"], second[i]["homophobic"]) for i in ids])
    report("`kind` (8 classes)", [(first[i]["kind"], second[i]["kind"]) for i in ids])
    both = [i for i in ids if {first[i]["kind"], second[i]["kind"]} <= {"hate", "slur_insult"}]
    report("slur_insult vs hate (both chose one of the two)", [(first[i]["kind"], second[i]["kind"]) for i in both])
    either = [i for i in ids if first[i]["kind"] in ("hate", "slur_insult") or second[i]["kind"] in ("hate", "slur_insult")]

    def three(kind):
        return kind if kind in ("hate", "slur_insult") else "other"

    report("hate / slur_insult / other (either chose hate or slur_insult)",
           [(three(first[i]["kind"]), three(second[i]["kind"])) for i in either])

    report("`target`", [(first[i].get("target", "none"), second[i].get("target", "none")) for i in ids])

    both_hate = [i for i in ids if first[i]["kind"] == "hate" and second[i]["kind"] == "hate"]
    if both_hate:
        print(f"\nLabels and frames on the {len(both_hate)} items both annotators called hate:\n")
        print("| field | exact set match | mean Jaccard |")
        print("|---|---|---|")
        for field in ("labels", "frames"):
            exact = sum(set(first[i][field]) == set(second[i][field]) for i in both_hate)
            jac = sum(jaccard(first[i][field], second[i][field]) for i in both_hate) / len(both_hate)
            print(f"| `{field}` | {exact}/{len(both_hate)} | {jac:.2f} |")
        print("\n| label/frame | A only | B only | both |")
        print("|---|---|---|---|")
        names = sorted({x for i in both_hate for f in ("labels", "frames") for x in first[i][f] + second[i][f]})
        for name in names:
            ina = sum(name in first[i]["labels"] + first[i]["frames"] for i in both_hate)
            inb = sum(name in second[i]["labels"] + second[i]["frames"] for i in both_hate)
            inboth = sum(name in first[i]["labels"] + first[i]["frames"] and
                         name in second[i]["labels"] + second[i]["frames"] for i in both_hate)
            print(f"| {name} | {ina - inboth} | {inb - inboth} | {inboth} |")

    print("\nKind confusion (rows A, columns B):\n")
    matrix = Counter((first[i]["kind"], second[i]["kind"]) for i in ids)
    print("| A \\ B | " + " | ".join(KINDS) + " |")
    print("|---" * (len(KINDS) + 1) + "|")
    for ka in KINDS:
        print(f"| {ka} | " + " | ".join(str(matrix[(ka, kb)] or "") for kb in KINDS) + " |")

    print("\nDisagreements on kind (or homophobic):\n")
    print("| id | A | B |")
    print("|---|---|---|")
    for i in ids:
        ra, rb = first[i], second[i]
        if ra["kind"] != rb["kind"] or ra["homophobic"] != rb["homophobic"]:
            print(f"| {i} | {fmt(ra)} | {fmt(rb)} |")


if __name__ == "__main__":
    main()
