#!/usr/bin/env python3
"""Measures any kuzot binary's exposure classifier on the independent exposure posts,
per frozen part (FNV-1a-64 of "kuzot-exposure-split-v1:"+id, test when mod 100 < 40,
as classifiers/exposure IndependentSplit), from the `exposed`/`outing` fields of
`kuzot classify` output. Used for the exposure/1 baseline, which predates the split:

  git worktree add /tmp/exp1 e5d9bda && (cd /tmp/exp1 && go build -o /tmp/kuzot-exp1 ./cmd/kuzot)
  python3 scripts/exposure-baseline.py /tmp/kuzot-exp1
"""
import json
import subprocess
import sys


def fnv64(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main(binary):
    rows = [json.loads(l) for l in open("classifiers/exposure/corpus/independent.jsonl", encoding="utf-8")]
    inp = "".join(json.dumps({"id": r["id"], "text": r["text"], "lang": r["lang"]}, ensure_ascii=False) + "\n" for r in rows)
    out = subprocess.run([binary, "classify", "--classifiers", "exposure"], input=inp.encode(), capture_output=True, check=True)
    res = {}
    for line in out.stdout.decode().splitlines():
        o = json.loads(line)
        res[o["id"]] = o.get("exposure", {})
    for part in ("dev", "test"):
        sel = [r for r in rows if (fnv64("kuzot-exposure-split-v1:" + r["id"]) % 100 < 40) == (part == "test")]

        def prf(key):
            tp = sum(1 for r in sel if r[key] and res[r["id"]].get(key))
            fp = sum(1 for r in sel if not r[key] and res[r["id"]].get(key))
            fn = sum(1 for r in sel if r[key] and not res[r["id"]].get(key))
            return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)

        neg = [r for r in sel if r["kind"] in ("neg_ad", "neg_lost_doc", "neg_public_contact")]
        flagged = sum(1 for r in neg if res[r["id"]].get("severity", "none") != "none")
        print("%s %d posts: exposed P %.3f R %.3f, outing P %.3f R %.3f, ads/lost documents/public contacts flagged %d/%d"
              % ((part, len(sel)) + prf("exposed") + prf("outing") + (flagged, len(neg))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bin/kuzot")
