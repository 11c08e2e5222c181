"""``AnswerStream``: iterate for the draft, ``answer()`` for the checked answer, ``close()`` frees."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from assistant.cli import after_draft
from assistant.models import Answer, AnswerStream, Citation

ANSWER = Answer(question="q", answer="Twenty per cent [1].", language="en", refused=False,
                citations=[Citation(n=1, chunk_id="c", doc_id="d", title="Gartner", source="https://x",
                                    locator="¶1", quote="20%", quote_start=0)])


def events(pieces: list[str], closed: list[bool]) -> Generator[str, None, Answer]:
    try:
        yield from pieces
        return ANSWER
    finally:
        closed.append(True)


def test_iterating_gives_the_pieces_then_answer_gives_the_answer() -> None:
    closed: list[bool] = []
    stream = AnswerStream(events(["Twenty ", "per cent"], closed))
    assert list(stream) == ["Twenty ", "per cent"]
    assert stream.done and stream.answer() is ANSWER and closed == [True]
    assert list(stream) == []  # read once


def test_answer_reads_what_is_left_after_a_break() -> None:
    stream = AnswerStream(events(["a", "b", "c"], []))
    for piece in stream:
        assert piece == "a"
        break
    assert list(stream) == ["b", "c"]
    assert stream.answer() is ANSWER


def test_closing_an_unfinished_stream_frees_it() -> None:
    closed: list[bool] = []
    with AnswerStream(events(["a", "b"], closed)) as stream:
        assert next(iter(stream)) == "a"
    assert closed == [True]
    with pytest.raises(RuntimeError):
        stream.answer()


def test_a_whole_answer_has_no_pieces() -> None:
    stream = AnswerStream.whole(ANSWER)
    assert list(stream) == [] and stream.answer() is ANSWER


def test_the_terminal_follows_a_draft_with_what_it_lacks() -> None:
    assert after_draft("", ANSWER).startswith("Twenty per cent [1].\n\nSources:\n[1] Gartner")
    assert after_draft("Twenty per cent [1].", ANSWER).startswith("\n\nSources:\n[1] Gartner")
    assert after_draft("Most firms [42].", ANSWER).startswith("\n\n---\nChecked answer:\nTwenty per cent [1].")
