"""Fusion and maximal marginal relevance over a stub collection: no Chroma, no model."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import numpy as np
import pytest

from assistant.models import Chunk
from assistant.retrieval import hybrid
from assistant.retrieval.hybrid import HybridRetriever, _TermSets
from assistant.settings import Settings


def chunk(n: int, text: str, language: str = "en") -> Chunk:
    return Chunk(id=f"c{n}", doc_id=f"d{n}", text=text, title=f"Doc {n}", paragraph_start=0, paragraph_end=0,
                 char_start=0, char_end=len(text), language=language, content_hash=str(n))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _through_the_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stub answers Chroma's query: the dense side goes through it, not the exact in-memory search."""
    monkeypatch.setattr(hybrid, "EXACT_SEARCH_MAX", 0)


class StubCollection:
    """Returns the dense ranking it was given, filtered by language as Chroma's ``where`` would."""

    def __init__(self, ranking: list[tuple[str, float]]) -> None:
        self.ranking = ranking

    def query(self, **kwargs: Any) -> dict[str, Any]:
        language = (kwargs.get("where") or {}).get("language")
        hits = [(i, s) for i, s in self.ranking
                if language is None or CHUNKS[int(i[1:])].language == language][: kwargs["n_results"]]
        return {"ids": [[i for i, _ in hits]], "distances": [[1 - s for _, s in hits]]}


KENYA = "Kenya's outsourcing sector employs 36,000 people and grows 20% a year."
CHUNKS = [chunk(0, KENYA), chunk(1, KENYA), chunk(2, "Kenya hosts CCI Global's centre at Tatu City."),
          chunk(3, "Le secteur kényan emploie 36 000 personnes.", "fr")]


def retriever(**settings: Any) -> HybridRetriever:
    ranking = [("c0", 0.9), ("c1", 0.9), ("c2", 0.7), ("c3", 0.6)]
    return HybridRetriever(CHUNKS, StubCollection(ranking), Settings.isolated(**settings))  # type: ignore[arg-type]


def test_the_same_paragraph_is_never_returned_twice() -> None:
    ids = [s.chunk.id for s in retriever().retrieve("Kenya outsourcing jobs", [0.0], k=3)]
    assert "c0" in ids and "c1" not in ids


def test_passages_in_the_question_language_are_preferred_not_required() -> None:
    results = retriever().retrieve("emploi Kenya", [0.0], k=3, prefer_language="en")
    assert results[0].chunk.language == "en"
    assert "c3" in [s.chunk.id for s in results]


def test_a_language_filter_is_a_requirement() -> None:
    results = retriever().retrieve("Kenya emploie", [0.0], k=3, language="fr")
    assert [s.chunk.id for s in results] == ["c3"]


def test_overlaps_on_arrays_are_the_jaccard_of_the_term_sets_to_the_last_bit() -> None:
    """MMR reads overlaps from the mapped term arrays: the same floats as dividing the sets' counts."""
    rng = np.random.default_rng(7)
    sets = [sorted(rng.choice(60, size=size, replace=False).tolist()) for size in rng.choice([0, 1, 4, 15, 40], 30)]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
    terms = np.array([t for s in sets for t in s], dtype=np.int32)
    rows = np.array([5, 0, 29, 12, 3, 17])
    overlaps = _TermSets(offsets, terms, rows)
    for one, a in enumerate(rows):
        left = frozenset(sets[a])
        expected = [len(left & frozenset(sets[b])) / (len(left) + len(sets[b]) - len(left & frozenset(sets[b])))
                    if left and sets[b] else 0.0 for b in rows]
        assert overlaps.overlaps(one).tolist() == expected


def test_the_dense_search_runs_on_a_worker_and_its_errors_reach_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chroma's search runs beside the lexical ones (it releases the GIL); the results are the same
    as in the caller's thread, and a failure of the search is raised by ``retrieve``."""
    threads: list[str] = []

    class Recording(StubCollection):
        def query(self, **kwargs: Any) -> dict[str, Any]:
            threads.append(threading.current_thread().name)
            return super().query(**kwargs)

    class Down:
        def query(self, **kwargs: Any) -> dict[str, Any]:
            raise ConnectionError("Chroma went away")

    ranking = [("c0", 0.9), ("c1", 0.9), ("c2", 0.7), ("c3", 0.6)]
    beside = HybridRetriever(CHUNKS, Recording(ranking), Settings.isolated())  # type: ignore[arg-type]
    results = beside.retrieve("Kenya outsourcing jobs", [0.0], k=3)
    assert threads and all(name.startswith("dense-search") for name in threads)
    with monkeypatch.context() as inline:  # the same search run in the caller's thread
        inline.setattr(hybrid, "_DENSE_SEARCHES", _InCallersThread())
        alone = retriever().retrieve("Kenya outsourcing jobs", [0.0], k=3)
    assert [(s.chunk.id, s.score) for s in results] == [(s.chunk.id, s.score) for s in alone]
    down = HybridRetriever(CHUNKS, Down(), Settings.isolated())  # type: ignore[arg-type]
    with pytest.raises(ConnectionError, match="went away"):
        down.retrieve("Kenya outsourcing jobs", [0.0], k=3)


class _InCallersThread:
    """An executor that runs what it is given at once, in the caller's thread."""

    def submit(self, function: Any, *args: Any) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(function(*args))
        return done
