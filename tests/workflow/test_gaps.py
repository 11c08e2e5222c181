"""``assistant gaps`` groups a seeded set of refused questions (and thumbs-down answers) into topics."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from assistant.models import Answer
from assistant.settings import Settings
from assistant.storage.feedback import FeedbackStore
from assistant.storage.schema import turns
from tests.support import make_settings
from tests.test_cli import run_cli

TOPICS = {
    "mongolia": ["How many call centre agents work in Mongolia?",
                 "Quelle est la taille du secteur des centres d'appels en Mongolie ?",
                 "Is Ulaanbaatar a good location for a Mongolian customer service hub?",
                 "Combien coûte un agent de centre d'appels à Oulan-Bator ?"],
    "energy": ["What is the carbon footprint of running AI chatbots in a contact centre?",
               "Quelle est la consommation d'énergie des chatbots d'IA ?"],
    "insurance": ["Does cyber insurance cover a data breach at our BPO vendor?",
                  "Quelle assurance cyber couvre une fuite de données chez un prestataire ?",
                  "Who pays if our outsourcing provider suffers a ransomware attack?"],
}
ENERGY_RATED_DOWN = "How much electricity do AI customer service agents use?"
OLD = "What did call centres in Mongolia earn in 2019?"  # refused 40 days ago: outside --since 30d
LONE = "What is the capital of Australia?"


def refusal(question: str, refused: bool = True) -> Answer:
    return Answer(question=question, answer="Le corpus ne le dit pas.", language="en", refused=refused)


def seed(settings: Settings) -> None:
    store = FeedbackStore.for_settings(settings)
    for questions in TOPICS.values():
        for question in questions:
            store.log_turn(refusal(question), "web", "browser:a")
    store.log_turn(refusal(LONE), "slack", "U1")
    answered = store.log_turn(refusal(ENERGY_RATED_DOWN, refused=False), "web", "browser:b")
    store.record_feedback(-1, ENERGY_RATED_DOWN, "An answer about something else.", [], "web", "browser:b",
                          "Not about energy at all", answered)
    old = store.log_turn(refusal(OLD), "web", "browser:a")
    with store.engine.begin() as db:
        db.execute(update(turns).where(turns.c.id == old).values(created=time.time() - 40 * 86400))
    store.close()


def test_assistant_gaps_groups_refused_questions_into_topics(
        assistant: object, corpus_settings: Settings, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, index_dir=corpus_settings.index_dir)
    seed(settings)
    result = run_cli(["gaps", "--since", "30d", "--json"], settings)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["total"], report["refused"], report["thumbs_down"]) == (11, 10, 1)
    groups = {frozenset(g["examples"]): g for g in report["groups"]}
    expected = [TOPICS["mongolia"], [*TOPICS["insurance"]], [*TOPICS["energy"], ENERGY_RATED_DOWN], [LONE]]
    assert set(groups) == {frozenset(questions) for questions in expected}
    assert [g["count"] for g in report["groups"]] == [4, 3, 3, 1]  # the largest gap first
    energy = groups[frozenset([*TOPICS["energy"], ENERGY_RATED_DOWN])]
    assert (energy["refused"], energy["thumbs_down"], energy["comments"]) == (2, 1, ["Not about energy at all"])
    for group in report["groups"]:
        assert group["topic"] in group["examples"] and group["keywords"]
        assert 1 <= len(group["documents"]) <= 3 and all(d["title"] and d["doc_id"] for d in group["documents"])
    assert OLD not in result.stdout

    # the same report for a terminal, and a wider period, from the same store in this process
    from datetime import UTC, datetime, timedelta

    from assistant.api import Assistant as AssistantType
    from assistant.storage.conversations import ConversationStore

    assert isinstance(assistant, AssistantType)
    conversations = ConversationStore(FeedbackStore.for_settings(settings))
    until = datetime.now(UTC)
    since = until - timedelta(days=30)
    text = assistant.workflow().gap_report(conversations.gap_candidates(since.timestamp()), since, until).to_text()
    assert "11 questions (10 refused, 1 rated not helpful) in 4 topics" in text
    assert "closest documents:" in text and "comment: Not about energy at all" in text
    wider = conversations.gap_candidates((until - timedelta(days=60)).timestamp())
    assert len(wider) == 12 and any(c.question == OLD for c in wider)


def test_gaps_refuses_a_period_it_cannot_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(tmp_path / "feedback.sqlite3"))
    FeedbackStore(tmp_path / "feedback.sqlite3").close()
    result = CliRunner().invoke(app, ["gaps", "--since", "last tuesday"])
    assert result.exit_code == 2 and "--since takes a period such as 30d" in result.output
