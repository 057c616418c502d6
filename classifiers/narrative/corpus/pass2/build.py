#!/usr/bin/env python3
"""Write ru-annotated-pass2.jsonl from annotator B's hand decisions (decisions-B.tsv).

Annotator B read every text of the blind sample and typed one decision row per item (id, dataset, homophobic,
labels, frames, kind, target, note). This script only converts those rows to JSONL in file order and checks them
against the shared label scheme of TAXONOMY.md; it decides nothing.

Usage: python3 build.py decisions-B.tsv ru-annotated-pass2.jsonl
"""
import json
import sys

LABELS = {"derogation", "stereotype", "dehumanisation", "threat_violence", "exclusion", "identity_denial", "slur",
          "coded", "slur_insult"}
FRAMES = {"propaganda_ban", "foreign_agent", "western_values", "traditional_family", "child_protection",
          "political_smear", "dehumanization", "violence_threat"}
KINDS = {"hate", "self", "counter", "news", "negation", "neutral", "ordinary", "slur_insult"}
TARGETS = {"lgbt", "other", "none"}


def split(cell):
    """Split a comma-separated cell; "-" is the empty list."""
    return [] if cell == "-" else cell.split(",")


def main(decisions_path, out_path):
    records, seen = [], set()
    for n, line in enumerate(open(decisions_path, encoding="utf-8"), 1):
        if line.startswith("#") or not line.strip():
            continue
        item_id, dataset, hom, labels, frames, kind, target = line.rstrip("\n").split("\t")[:7]
        where = f"{decisions_path}:{n} ({item_id})"
        if item_id in seen:
            sys.exit(f"{where}: duplicate id")
        seen.add(item_id)
        hom = hom == "1"
        labels, frames = split(labels), split(frames)
        if not set(labels) <= LABELS or not set(frames) <= FRAMES or kind not in KINDS or target not in TARGETS:
            sys.exit(f"{where}: value outside TAXONOMY.md")
        if hom != (kind == "hate") or (not hom and (frames or labels not in ([], ["slur_insult"]))):
            sys.exit(f"{where}: homophobic/kind/labels/frames inconsistent")
        if (kind == "slur_insult") != ("slur_insult" in labels):
            sys.exit(f"{where}: slur_insult label and kind disagree")
        records.append({"id": item_id, "dataset": dataset, "homophobic": hom, "labels": labels, "frames": frames,
                        "kind": kind, "target": target, "annotator": "B"})
    with open(out_path, "w", encoding="utf-8") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} items to {out_path}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
