"""The committed reader: its checksum matches the card, and it reads held-out pairs sensibly."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.reader.data import all_pairs, load_records, split
from assistant.reader.model import Reader
from assistant.reader.weights import (
    CARD_FILE,
    MANIFEST_FILE,
    WEIGHTS_DIR,
    WEIGHTS_FILE,
    WeightsError,
    card_checksum,
    sha256_of,
    verified_weights,
)

MAX_COMMITTED_BYTES = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def test_the_weights_match_the_model_card_checksum() -> None:
    path, manifest = verified_weights()
    assert sha256_of(path) == card_checksum()
    assert manifest["num_labels"] in (1, 4)
    assert path.stat().st_size <= MAX_COMMITTED_BYTES


def test_altered_weights_are_refused(tmp_path: Path) -> None:
    for name in (WEIGHTS_FILE, MANIFEST_FILE, CARD_FILE):
        (tmp_path / name).write_bytes((WEIGHTS_DIR / name).read_bytes())
    data = bytearray((tmp_path / WEIGHTS_FILE).read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="sha256"):
        verified_weights(tmp_path)


def test_an_answer_outscores_its_near_miss(reader: Reader) -> None:
    question = "How many agents work at the Casablanca centre?"
    scores = reader.score(question, [
        "The Casablanca centre employs 1,200 agents across three shifts.",
        "The Casablanca centre opened in 2014 near the port.",
        "Lisbon's centre employs 800 agents.",
    ], titles=["Morocco operations review"] * 3)
    assert scores[0].relevance > max(scores[1].relevance, scores[2].relevance)
    assert min(s.relevance for s in scores) >= 0.0 and max(s.relevance for s in scores) <= 1.0


def test_held_out_answers_rank_above_their_paragraph_neighbours(reader: Reader) -> None:
    """On questions of documents the reader never saw, its best sentence is an answer more often than not."""
    _, test = split(all_pairs(load_records()))
    answered = [g for g in test if any(p.relevant for p in g) and not all(p.relevant for p in g)][:40]
    assert answered
    right = 0
    for group in answered:
        scores = reader.score(group[0].question, [p.sentence for p in group], [p.title for p in group])
        best = max(range(len(group)), key=lambda i: scores[i].relevance)
        right += group[best].relevant
    assert right / len(answered) > 0.6


def test_repeated_pairs_come_from_the_cache(reader: Reader) -> None:
    sentences = ["Le centre de Dakar compte 600 conseillers.", "Il a ouvert en 2019."]
    first = reader.score("Combien de conseillers à Dakar ?", sentences)
    again = reader.score("Combien de conseillers à Dakar ?", list(reversed(sentences)))
    assert again == list(reversed(first))
