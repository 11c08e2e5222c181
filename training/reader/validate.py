"""Check reader training records: schema, passages, answer sentences, type mix, eval overlap.

Usage: python training/reader/validate.py training/reader/questions/w1.jsonl [...]
Paragraphs are the blocks the project's own loader makes (``assistant.ingest.loaders``), so a
passage here is what the answerer sees at run time.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import yaml

from assistant.ingest.loaders import Block, load_document
from assistant.text import words

ROOT = Path(__file__).resolve().parents[2]
TYPES = ("figure", "who", "when", "why", "definition", "list", "should-we", "risks", "comparison",
         "false-premise", "follow-up")
SIDES = ("for", "against", "neutral")
NONE_REASONS = ("other-entity", "other-year", "other-measure", "mention-only")
SIDED = ("should-we", "risks", "comparison")


@cache
def blocks_of(doc: str) -> list[Block]:
    return load_document(ROOT / doc, max_bytes=50_000_000).blocks


def find_block(doc: str, prefix: str) -> list[Block]:
    return [b for b in blocks_of(doc) if b.text.startswith(prefix)]


def grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


@cache
def eval_questions() -> list[tuple[str, set[tuple[str, ...]]]]:
    out = []
    for name in ("golden.yaml", "natural.yaml"):
        for record in yaml.safe_load((ROOT / "evals" / name).read_text(encoding="utf-8")):
            for text in [record["question"], *record.get("history", [])]:
                if isinstance(text, dict):
                    text = text.get("question", "")
                out.append((str(text), grams(str(text))))
    return out


def overlap(question: str) -> float:
    mine = grams(question)
    if not mine:
        return 0.0
    return max((len(mine & theirs) / min(len(mine), len(theirs)) for _, theirs in eval_questions() if theirs),
               default=0.0)


def check(record: dict, problems: list[str]) -> None:
    rid = record.get("id", "?")
    missing = {"id", "question", "language", "type", "history", "doc", "passage", "answers", "none",
               "templated"} - record.keys()
    if missing:
        problems.append(f"{rid}: missing fields {sorted(missing)}")
        return
    if record["language"] not in ("en", "fr"):
        problems.append(f"{rid}: language must be en or fr")
    if record["type"] not in TYPES:
        problems.append(f"{rid}: unknown type {record['type']!r}")
    if record["type"] == "follow-up" and not record["history"]:
        problems.append(f"{rid}: a follow-up needs its history")
    doc = record["doc"]
    if doc.startswith("evals/") or not (ROOT / doc).is_file():
        problems.append(f"{rid}: doc {doc!r} is not a training or corpus file")
        return
    if len(record["passage"].split()) < 6 and len(record["passage"]) < 40:
        problems.append(f"{rid}: passage prefix shorter than six words")
    blocks = find_block(doc, record["passage"])
    if len(blocks) != 1:
        problems.append(f"{rid}: passage prefix found {len(blocks)} times in {doc}")
        return
    paragraph = blocks[0].text
    for answer in record["answers"]:
        sentence = answer.get("sentence", "")
        if not sentence or sentence not in paragraph:
            problems.append(f"{rid}: answer sentence not in the paragraph: {sentence[:70]!r}")
        side = answer.get("side")
        if record["type"] in SIDED and record["type"] != "comparison" and side not in SIDES:
            problems.append(f"{rid}: a {record['type']} answer needs side for/against/neutral")
        if side is not None and side not in SIDES:
            problems.append(f"{rid}: bad side {side!r}")
    if not record["answers"] and record["none"] not in NONE_REASONS:
        problems.append(f"{rid}: a record with no answer needs none in {NONE_REASONS}")
    if record["answers"] and record["none"] is not None:
        problems.append(f"{rid}: none must be null when there are answers")
    score = overlap(record["question"])
    if score > 0.5:
        problems.append(f"{rid}: question too close to an eval question (4-gram overlap {score:.2f})")


def main(paths: list[str]) -> int:
    problems: list[str] = []
    records = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                problems.append(f"{path}:{n}: not JSON ({error})")
    ids = Counter(r.get("id") for r in records)
    problems += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    for record in records:
        try:
            check(record, problems)
        except Exception as error:  # a document the loader refuses is reported, not fatal
            problems.append(f"{record.get('id')}: {type(error).__name__}: {error}")
    types = Counter(r.get("type") for r in records)
    total = max(len(records), 1)
    print(f"{len(records)} records; fr {sum(r.get('language') == 'fr' for r in records) / total:.0%}; "
          f"none {sum(not r.get('answers') for r in records) / total:.0%}; "
          f"templated {sum(bool(r.get('templated')) for r in records) / total:.0%}")
    print("types: " + ", ".join(f"{t} {types.get(t, 0) / total:.0%}" for t in TYPES))
    for problem in problems:
        print("PROBLEM", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
