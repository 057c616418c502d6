#!/usr/bin/env python3
"""Select the Russian items for hand annotation (issue 14) and print them in batches.

This script only SELECTS and PRINTS items and writes the annotator's decisions to JSONL; it assigns no label itself.

Selection (stable, no randomness; FNV-1a 64-bit over the UTF-8 item id, lowest first):
  L  every item of ru-snlp-sensitive-topics with lgbt_related=true (keyword filter; all of them).
     (ru-snlp-appropriateness has none in this copy: its keyword items were set aside for independent evaluation.)
  K  ru-snlp-appropriateness items the keyword filter missed but whose text contains an LGBT word form
     (substring search for гомос/гей/лгбт/лесб/трансг/пидор/педик, read by hand; only the LGBT senses kept).
  W  every item of both sets with a weak keyword hit (lgbt_kw_weak non-empty) and lgbt_related=false.
  M  items with the crowd/topic label sexual_minorities (>=0.5, or flag 1) but no keyword hit: the 60 lowest-hash of
     ru-snlp-sensitive-topics and the 20 lowest-hash of ru-snlp-appropriateness.
  I  insult-heavy non-LGBT items: ru-snlp-appropriateness with inappropriate>=0.5 and toxic_new>=0.5 not in the groups
     above, 80 lowest-hash.
Second round (appended after the first 503, so their order numbers stay):
  X  every remaining item of both sets whose text matches a broader stem search (STEMS below: гомос, заднепривод,
     петуш, дырявы, содом, однопол, толерас, квир, гендер, ...).
  R  every remaining item with sexual_minorities >= 0.5 (or flag 1) and no strong keyword, lowest hash first.
Third round (issue 14, annotator C; appended after the first 804, so earlier order numbers stay). By then no item
with an LGBT keyword or a STEMS hit was left, so this round reaches the LGBT-*adjacent* rest with wider patterns:
  Y  every remaining item whose text matches WIDE (below: sex-role and prison words, "в жопу"/"очко", passive/active,
     effeminate, paedophile, rainbow/blue/pink, tolerance, gender, natural/perversion ...), lowest hash first.
  Z  every remaining item with any sexual_minorities score > 0 and no WIDE hit, lowest hash first.
  F  every remaining item with a frame-neighbour word (FRAME_WORDS: family, marriage, tradition, values, Europe/the
     West, propaganda, sin, depravity, demography, tolerance ...) and sexual_minorities = 0, lowest hash first: the
     ordinary talk about family, children and values that a homophobia classifier must not flag, and the place where
     a narrative without an LGBT word would hide.
  P  the 150 lowest-hash remaining items with a crowd pornography, prostitution or sexism score >= 0.5 (sexual and
     gendered talk without an LGBT word: hard negatives).
Texts that occur more than once (inside or across sets) are kept once (the first in the order above).

Usage: ru_select.py list            -> writes selection.tsv (order, group, dataset, id)
       ru_select.py show N [size]   -> prints batch N (0-based) of the selection
       ru_select.py build           -> decisions.tsv (A) + decisions-C.tsv (C) -> classifiers/narrative/corpus/ru-annotated.jsonl
"""
import json
import os
import re
import sys

DS = "/work/shared/datasets"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(ROOT, "classifiers", "narrative", "corpus", "ru-annotated.jsonl")
SETS = ["ru-snlp-sensitive-topics", "ru-snlp-appropriateness"]
K_IDS = ["ru-snlp-appropriateness-335", "ru-snlp-appropriateness-8439", "ru-snlp-appropriateness-8480",
         "ru-snlp-appropriateness-1518"]


# Group X: a broader substring search for LGBT word stems and slurs the keyword filter does not cover.
STEMS = re.compile(r"(гомос|гомик|гомогей|гейр|гейск|гейств|геев|геям|геями|\bгеи\b|\bгей\b|лгбт|лесб|трансг|транс[сз]|"
                   r"трансух|пидр|пидер|педр|п[*.]д[оа]р|заднепривод|содом|однопол|нетрадиц|толераст|толерас|голуб[ыо][ех]|"
                   r"петуш|опущен|дырявы|глиномес|жопотрах|мужелож|радужн|квир|бисекс|гендер|\bтрап)", re.I)


# Group Y (third round): wider patterns for LGBT-adjacent text. Most hits are not about LGBT people; every item is read.
WIDE = re.compile(r"(пидо|пидр|пидар|педер|педр|пидв|пидов|\bгей\b|\bгеи\b|гомо[сгфк]|ориентаци|пассивк|в пассиве|"
                  r"хуесос|хуисос|членосос|петух|петуш|кукарек|опущ|дырявы|в жоп[уе]|в очко|\bочк[оуе]\b|жопоеб|жопотрах|"
                  r"очкоеб|\bанал(?!из|ог|ит)|страпон|женоподоб|мужеподоб|жеманн|феминн|трансв|травест|\bтрап|бисекс|"
                  r"лесб|лезб|содом|мужик\w* с мужик|мужчин\w* с мужчин|парн\w* с парн|гетеросекс|натурал|нетрадиц|"
                  r"извращ|голуб[оы]|толерант|гендер|сменил\w* пол|смен\w* пола|баба с член|педофил|минет|отсос)", re.I)
# Group F (third round): words of the frames' ordinary neighbourhood.
FRAME_WORDS = re.compile(r"(семь[яиеюё]|брак|традиц|ценност|духовн|скреп|европ|запад|госдеп|пропаганд|разврат|грех|мораль|"
                         r"нравств|вырожд|деград|рожать|рождаем|демограф|толеран|либераст|содом)", re.I)


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def load():
    items = {}
    for d in SETS:
        for line in open(os.path.join(DS, d, "all.jsonl"), encoding="utf-8"):
            o = json.loads(line)
            o["dataset"] = d
            items[o["id"]] = o
    return items


def select(items):
    by = lambda o: fnv1a64(o["id"])
    st = [o for o in items.values() if o["dataset"] == SETS[0]]
    ap = [o for o in items.values() if o["dataset"] == SETS[1]]
    groups = []
    groups.append(("L", sorted([o for o in st if o["lgbt_related"]], key=by)))
    groups.append(("K", [items[i] for i in K_IDS]))
    groups.append(("W", sorted([o for o in items.values() if o["lgbt_kw_weak"] and not o["lgbt_related"]], key=by)))
    m_st = sorted([o for o in st if not o["lgbt_kw"] and not o["lgbt_kw_weak"]
                   and o["label"].get("sexual_minorities", 0) >= 0.5], key=by)[:60]
    m_ap = sorted([o for o in ap if not o["lgbt_kw"] and not o["lgbt_kw_weak"]
                   and o["label"].get("sexual_minorities", 0) >= 0.5], key=by)[:20]
    groups.append(("M", m_st + m_ap))
    taken = {o["id"] for _, g in groups for o in g}
    ins = sorted([o for o in ap if o["id"] not in taken and not o["lgbt_kw"] and not o["lgbt_kw_weak"]
                  and o["label"].get("inappropriate", 0) >= 0.5 and (o["label"].get("toxic_new") or 0) >= 0.5], key=by)
    groups.append(("I", ins[:80]))
    # Second round (appended so that the order of the first 503 items does not change):
    taken = {o["id"] for _, g in groups for o in g}
    groups.append(("X", sorted([o for o in items.values() if o["id"] not in taken and STEMS.search(o["text"])], key=by)))
    taken = {o["id"] for _, g in groups for o in g}
    groups.append(("R", sorted([o for o in items.values() if o["id"] not in taken and not o["lgbt_kw"]
                                and o["label"].get("sexual_minorities", 0) >= 0.5], key=by)))
    # Third round (issue 14, annotator C), appended so that the first 804 order numbers do not change.
    taken = {o["id"] for _, g in groups for o in g}
    sm = lambda o: o["label"].get("sexual_minorities") or 0
    groups.append(("Y", sorted([o for o in items.values() if o["id"] not in taken and WIDE.search(o["text"])], key=by)))
    taken = {o["id"] for _, g in groups for o in g}
    groups.append(("Z", sorted([o for o in items.values() if o["id"] not in taken and sm(o) > 0], key=by)))
    taken = {o["id"] for _, g in groups for o in g}
    groups.append(("F", sorted([o for o in items.values() if o["id"] not in taken and sm(o) == 0
                                and FRAME_WORDS.search(o["text"])], key=by)))
    taken = {o["id"] for _, g in groups for o in g}
    sexual = lambda o: max(o["label"].get(k) or 0 for k in ("pornography", "prostitution", "sexism")) >= 0.5
    groups.append(("P", sorted([o for o in items.values() if o["id"] not in taken and sexual(o)], key=by)[:150]))
    seen, out = set(), []
    for name, g in groups:
        for o in g:
            if o["text"] in seen:
                continue
            seen.add(o["text"])
            out.append((name, o))
    return out


def main():
    items = load()
    sel = select(items)
    cmd = sys.argv[1]
    if cmd == "list":
        with open(os.path.join(HERE, "selection.tsv"), "w", encoding="utf-8") as f:
            for n, (g, o) in enumerate(sel):
                f.write(f"{n}\t{g}\t{o['dataset']}\t{o['id']}\n")
        print(len(sel), {g: sum(1 for x, _ in sel if x == g) for g in "LKWMIXRYZFP"})
    elif cmd == "show":
        n = int(sys.argv[2])
        size = int(sys.argv[3]) if len(sys.argv) > 3 else 50
        for k in range(n * size, min((n + 1) * size, len(sel))):
            g, o = sel[k]
            print(f"#{k} [{g}] {o['id']} kw={o['lgbt_kw'] + o['lgbt_kw_weak']}\n{o['text']}\n")
    elif cmd == "build":
        build(items, sel)


KINDS = {"H": "hate", "S": "slur_insult", "O": "ordinary", "N": "neutral", "C": "counter", "W": "news",
         "G": "negation", "F": "self"}
DEFAULT_TARGET = {"H": "lgbt", "S": "other", "O": "none", "N": "lgbt", "C": "lgbt", "W": "lgbt", "G": "lgbt",
                  "F": "lgbt"}
LABELS = {"derogation", "stereotype", "dehumanisation", "threat_violence", "exclusion", "identity_denial", "slur",
          "coded"}
FRAMES = {"propaganda_ban", "foreign_agent", "western_values", "traditional_family", "child_protection",
          "political_smear", "dehumanization", "violence_threat"}


# Items labelled but NOT written to the corpus: their text ties a (possibly private) person's full name, or a first name
# in a deanonymisation thread, to sexual content or orientation, or names a non-public person. kuzot's rules of care:
# never put a real private person's name or data in the repository. The text may not be edited (exact text is required),
# so the item is left out instead.
PRIVACY_EXCLUDE = {
    "ru-snlp-sensitive-topics-2152",  # full name + "who searched for gay porn"
    "ru-snlp-sensitive-topics-2028",  # full name + anal sex
    "ru-snlp-sensitive-topics-2140",  # first name + region in a deanonymisation thread + gay porn
    "ru-snlp-sensitive-topics-8702",  # full name + ethnicity
    "ru-snlp-sensitive-topics-9396",  # full name of a person in a story
    "ru-snlp-sensitive-topics-9385",  # the same person
    # third round (annotator C):
    "ru-snlp-sensitive-topics-564",  # first name + age + prison + drugs of a private person
    "ru-snlp-appropriateness-13472",  # first name + birth date of a private person
}

# Decision files and their annotators: A (the ru-annot session, rounds 1-2), C (the narr session, round 3, issue 14).
DECISION_FILES = [("decisions.tsv", "A"), ("decisions-C.tsv", "C")]


def build(items, sel):
    """decisions*.tsv: <order>|<code>|<labels,comma>|<frames,comma>|<target or empty>|<note>"""
    order = {k: o for k, (g, o) in enumerate(sel)}
    rows = []
    for name, annotator in DECISION_FILES:
        path = os.path.join(HERE, name)
        if os.path.exists(path):
            rows += read_decisions(path, annotator, order)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate decision"
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "rows ->", OUT)


def read_decisions(path, annotator, order):
    """One decision file -> corpus rows (privacy-excluded items dropped)."""
    rows = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = (line.split("|") + ["", "", "", "", ""])[:6]
        k, code, labels, frames, target, _note = [p.strip() for p in parts]
        o = order[int(k)]
        if o["id"] in PRIVACY_EXCLUDE:
            continue
        labels = [x for x in labels.split(",") if x]
        frames = [x for x in frames.split(",") if x]
        assert code in KINDS, line
        assert all(x in LABELS for x in labels) and all(x in FRAMES for x in frames), line
        if code == "H":
            assert labels, line
        else:
            assert not labels and not frames, line
            if code == "S":
                labels = ["slur_insult"]
        rows.append({"id": o["id"], "dataset": o["dataset"], "lang": "ru", "text": o["text"],
                     "homophobic": code == "H", "labels": labels, "frames": frames, "kind": KINDS[code],
                     "target": target or DEFAULT_TARGET[code], "annotator": annotator})
    return rows


if __name__ == "__main__":
    main()
