"""The shipped corpus: every document says where its facts come from, when, and how sure they are."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.support import CORPUS

TOPICS = {"workforce", "case-studies", "geographies", "africa", "vendors", "contracts-regulation",
          "operating-model", "source-article"}
CONFIDENCE = {"confirmed", "mixed", "unconfirmed"}
DOCUMENTS = sorted(p for p in CORPUS.rglob("*.md"))
TOPIC_FILES = [p for p in DOCUMENTS if re.fullmatch(r"[a-z0-9-]+\.(en|fr)\.md", p.name)]
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.name} has no front matter"
    meta = yaml.safe_load(text.split("---\n", 2)[1])
    assert isinstance(meta, dict)
    return meta


@pytest.mark.parametrize("path", TOPIC_FILES, ids=lambda p: p.name)
def test_every_topic_document_has_id_sources_date_confidence_and_topic(path: Path) -> None:
    meta = front_matter(path)
    stem, language = path.name.removesuffix(".md").rsplit(".", 1)
    assert meta["id"] == f"{stem}-{language}" and meta["language"] == language
    assert str(meta["title"]).strip()
    assert _DATE.fullmatch(str(meta["date"])), meta["date"]
    sources = meta["sources"]
    assert isinstance(sources, list) and sources
    assert all(str(s).startswith(("https://", "http://")) for s in sources)
    assert meta["confidence"] in CONFIDENCE and meta["topic"] in TOPICS


def test_every_topic_is_in_english_and_french_with_the_same_topic() -> None:
    languages: dict[str, set[str]] = defaultdict(set)
    topic_of: dict[str, set[object]] = defaultdict(set)
    for path in TOPIC_FILES:
        stem, language = path.name.removesuffix(".md").rsplit(".", 1)
        languages[stem].add(language)
        topic_of[stem].add(front_matter(path)["topic"])
    assert {stem for stem, found in languages.items() if found != {"en", "fr"}} == set()
    assert {stem for stem, found in topic_of.items() if len(found) != 1} == set()
    assert len(languages) >= 45


def test_every_decision_area_is_covered() -> None:
    covered = {front_matter(p)["topic"] for p in TOPIC_FILES}
    assert covered >= TOPICS - {"source-article"}


def test_ids_are_unique_across_the_corpus() -> None:
    ids = [front_matter(p)["id"] for p in DOCUMENTS]
    assert len(ids) == len(set(ids))
