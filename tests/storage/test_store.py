"""The store's API on both databases: turns, feedback, "already rated", conversations, concurrent writers."""

from __future__ import annotations

import json
import threading

import pytest

from assistant.errors import AlreadyRated, UnknownTurn
from assistant.models import Answer, Citation, Timings, Turn
from assistant.storage.feedback import FeedbackStore


def answer(question: str = "How many jobs in Kenya?", text: str = "About 1.2 million [1].") -> Answer:
    citation = Citation(n=1, chunk_id="kenya#1", doc_id="kenya-bpo-en", title="Kenya BPO", source="https://x",
                        locator="Jobs, ¶1", quote="About 1.2 million people work in BPO.", quote_start=0)
    return Answer(question=question, standalone_question=question, answer=text, language="en", refused=False,
                  citations=[citation], retrieved=[], timings_ms=Timings(retrieve=1.0, answer=1.0, total=2.5))


def test_a_logged_turn_reads_back_by_id(store: FeedbackStore) -> None:
    turn_id = store.log_turn(answer(), "slack", "U1")
    assert turn_id is not None
    record = store.turn(turn_id)
    assert record is not None and record.question == "How many jobs in Kenya?" and record.language == "en"
    assert record.citations[0]["quote"] == "About 1.2 million people work in BPO."
    assert store.turn(turn_id + 1000) is None and store.turn(-1) is None and store.turn(2**70) is None
    assert store.count("turns") == 1


def test_a_person_gives_each_rating_once_per_answer(store: FeedbackStore) -> None:
    turn_id = store.log_turn(answer(), "slack", "U1")
    assert turn_id is not None
    first = store.record_feedback(1, "q", "a", [], "slack", "U1", turn_id=turn_id)
    with pytest.raises(AlreadyRated):
        store.record_feedback(1, "q", "a", [], "slack", "U1", turn_id=turn_id)
    store.record_feedback(-1, "q", "a", [], "slack", "U1", turn_id=turn_id)  # changed their mind: kept too
    store.record_feedback(1, "q", "a", [], "slack", "U2", turn_id=turn_id)  # someone else
    store.record_feedback(1, "q", "a", [], "web", None, turn_id=turn_id)  # anonymous: not constrained
    store.record_feedback(1, "q", "a", [], "web", None, turn_id=turn_id)
    store.record_feedback(1, "q", "a", [], "api", "U1")  # no turn: not constrained
    store.record_feedback(1, "q", "a", [], "api", "U1")
    rows = store.feedback()
    assert rows[0]["id"] == first and len(rows) == 7
    assert [r["rater"] for r in rows] == ["U1", "U1", "U2", None, None, None, None]


def test_feedback_on_an_answer_never_logged_is_refused(store: FeedbackStore) -> None:
    for turn_id in (12345, 0, -4, 2**64):
        with pytest.raises(UnknownTurn):
            store.record_feedback(1, "q", "a", [], "api", "U1", turn_id=turn_id)
    assert store.count() == 0


def test_feedback_keeps_what_it_was_given(store: FeedbackStore) -> None:
    payload = "'); DROP TABLE feedback; --"
    feedback_id = store.record_feedback(-1, payload, "réponse « 20 % »", [{"n": 1, "doc_id": "d"}], "api",
                                        "alice", "x" * 3000)
    row = store.feedback(rating=-1)[0]
    assert row["id"] == feedback_id and row["question"] == payload and row["answer"] == "réponse « 20 % »"
    assert len(row["comment"]) == 2000 and json.loads(row["citations"]) == [{"n": 1, "doc_id": "d"}]
    assert json.loads(row["settings"]) == {"embedding_model": "use-multilingual"} and row["created"] > 0
    assert store.feedback(rating=1) == []
    assert store.eval_candidates()[0]["supporting_docs"] == ["d"]


def test_a_conversation_remembers_its_turns_in_order(store: FeedbackStore) -> None:
    key = "slack:C1:1712345678.000100"
    for number in range(7):
        store.log_turn(answer(f"question {number}", f"answer {number}"), "slack", "U1", conversation=key)
    store.log_turn(answer("elsewhere", "other"), "slack", "U2", conversation="slack:C2:1.0")
    history = store.conversation_history(key, max_turns=4)
    assert history == [Turn(role="user", content="question 5"), Turn(role="assistant", content="answer 5"),
                       Turn(role="user", content="question 6"), Turn(role="assistant", content="answer 6")]
    assert store.conversation_history("slack:C9:nothing") == []
    assert store.count("conversations") == 2 and store.count("turns") == 8


def test_two_stores_on_one_database_lose_no_write(database: str) -> None:
    stores = [FeedbackStore(database) for _ in range(2)]
    errors: list[BaseException] = []

    def write(store: FeedbackStore, worker: int) -> None:
        try:
            for number in range(25):
                turn_id = store.log_turn(answer(f"q{worker}-{number}"), "api", f"u{worker}",
                                         conversation=f"web:{worker % 3}")
                store.record_feedback(1 if number % 2 else -1, f"q{worker}-{number}", "a", [], "api",
                                      f"u{worker}", turn_id=turn_id)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(stores[i % 2], i)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stores[0].count() == 200 and stores[1].count("turns") == 200 and stores[0].count("conversations") == 3
    for store in stores:
        store.close()
