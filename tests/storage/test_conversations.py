"""Saved conversations on both databases: owned, listed, renamed, deleted; ratings, citing answers, gaps."""

from __future__ import annotations

import time

import pytest

from assistant.storage.conversations import ConversationStore, TitleError, clean_title
from assistant.storage.feedback import TITLE_CHARS, FeedbackStore
from tests.storage.test_store import answer

ME, OTHER = "browser:me", "browser:someone-else"


def test_a_conversation_belongs_to_its_owner_only(store: FeedbackStore) -> None:
    conversations = ConversationStore(store)
    first = store.log_turn(answer("How many jobs in Kenya?"), "web", ME, conversation="web:1")
    store.log_turn(answer("And in Ghana?", "Ghana has fewer [1]."), "web", ME, conversation="web:1")
    store.log_turn(answer("Other person's question"), "web", OTHER, conversation="web:2")
    mine = conversations.id_of("web:1", ME)
    assert mine is not None and conversations.id_of("web:1", OTHER) is None
    assert conversations.of_turn(first or 0) == mine

    listed = conversations.owned(ME)
    assert [(c.title, c.turns, c.channel) for c in listed] == [("How many jobs in Kenya?", 2, "web")]
    opened = conversations.get(mine, ME)
    assert opened is not None and [t.question for t in opened.turns] == ["How many jobs in Kenya?", "And in Ghana?"]
    citation = opened.turns[0].citation_models()[0]
    assert (citation.doc_id, citation.quote, citation.chunk_id) == ("kenya-bpo-en", "About 1.2 million people work "
                                                                    "in BPO.", "kenya#1")
    # another browser can neither open, rename nor delete it
    assert conversations.get(mine, OTHER) is None
    assert not conversations.rename(mine, OTHER, "Mine now") and not conversations.delete(mine, OTHER)
    assert conversations.get(mine, None) is not None  # the command line reads any


def test_rename_and_delete_keep_the_answers_in_the_turn_log(store: FeedbackStore) -> None:
    conversations = ConversationStore(store)
    turn = store.log_turn(answer(), "web", ME, conversation="web:r")
    found = conversations.id_of("web:r", ME)
    assert found is not None and turn is not None
    assert conversations.rename(found, ME, "  Kenya   staffing  ") and not conversations.rename(found, ME, "   ")
    assert conversations.owned(ME)[0].title == "Kenya staffing"
    store.record_feedback(-1, "q", "a", [], "web", ME, None, turn)
    assert conversations.delete(found, ME)
    assert conversations.owned(ME) == [] and conversations.get(found, None) is None
    assert store.count("turns") == 1 and store.count() == 1 and conversations.of_turn(turn) is None


def test_a_page_of_the_owners_or_of_everyones_conversations(store: FeedbackStore) -> None:
    conversations = ConversationStore(store)
    for n in range(3):
        store.log_turn(answer(f"mine {n}"), "web", ME, conversation=f"web:p{n}")
    store.log_turn(answer("theirs"), "web", OTHER, conversation="web:theirs")
    first, rest = conversations.page(ME, limit=2), conversations.page(ME, limit=2, offset=2)
    assert [s.title for s, _ in first.conversations] == ["mine 2", "mine 1"] and first.total == 3
    assert [(s.title, owner) for s, owner in rest.conversations] == [("mine 0", ME)] and rest.total == 3
    everyone = conversations.page(None)
    assert everyone.total == 4 and {owner for _, owner in everyone.conversations} == {ME, OTHER}


def test_anyones_conversation_is_renamed_and_deleted_without_an_owner(store: FeedbackStore) -> None:
    conversations = ConversationStore(store)
    store.log_turn(answer(), "web", OTHER, conversation="web:any")
    found = conversations.id_of("web:any", None)
    assert found is not None
    assert conversations.rename(found, None, "Seen by an administrator")
    assert conversations.owned(OTHER)[0].title == "Seen by an administrator"
    assert conversations.delete(found, None) and conversations.owned(OTHER) == []


def test_a_title_is_one_line_not_empty_and_not_over_the_limit() -> None:
    assert clean_title("  Kenya\n staffing ") == "Kenya staffing"
    assert clean_title("x" * TITLE_CHARS) == "x" * TITLE_CHARS
    for bad, said in (("  \n ", "empty"), ("x" * (TITLE_CHARS + 1), f"the limit is {TITLE_CHARS}")):
        with pytest.raises(TitleError, match=said):
            clean_title(bad)


def test_each_answer_shows_the_owners_rating_and_comment(store: FeedbackStore) -> None:
    conversations = ConversationStore(store)
    one = store.log_turn(answer("one"), "web", ME, conversation="web:f")
    two = store.log_turn(answer("two"), "web", ME, conversation="web:f")
    assert one is not None and two is not None
    store.record_feedback(1, "one", "a", [], "web", ME, None, one)
    store.record_feedback(-1, "two", "a", [], "web", OTHER, "theirs", two)
    assert conversations.comment(one, ME, "Useful for the board") and not conversations.comment(two, ME, "x")
    found = conversations.id_of("web:f", ME)
    assert found is not None
    opened = conversations.get(found, ME)
    assert opened is not None
    assert [(t.rating, t.comment) for t in opened.turns] == [(1, "Useful for the board"), (None, "")]


def test_answers_citing_a_document_and_the_gap_candidates_of_a_period(store: FeedbackStore) -> None:
    conversations = ConversationStore(store)
    cited = store.log_turn(answer("Kenya?"), "slack", "U1", conversation="slack:C1:1.0")
    refused = answer("Capital of Australia?", "The corpus does not say.")
    refused.refused, refused.citations = True, []
    refused_id = store.log_turn(refused, "web", ME)
    store.record_feedback(-1, "Capital of Australia?", "", [], "web", ME, None, refused_id)  # counted once
    store.record_feedback(-1, "Kenya?", "About 1.2 million [1].", [], "slack", "U2", "too vague", cited)
    citing = conversations.citing("kenya-bpo-en")
    assert [(c.turn_id, c.owner, c.citations[0]["quote"]) for c in citing] == [
        (cited, "U1", "About 1.2 million people work in BPO.")]
    assert conversations.citing("kenya-bpo") == [] and conversations.citing("100%_x") == []

    gaps = conversations.gap_candidates(time.time() - 60)
    assert [(g.kind, g.question, g.comment) for g in gaps] == [
        ("refused", "Capital of Australia?", ""), ("thumbs_down", "Kenya?", "too vague")]
    assert conversations.gap_candidates(time.time() - 60, time.time() - 30) == []
    recent = conversations.recent()
    assert [(s.channel, owner) for s, owner in recent] == [("slack", "U1")]
