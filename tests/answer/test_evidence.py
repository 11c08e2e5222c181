"""Evidence rules on single sentences: subject, type, stance, and quotations with their speaker."""

from __future__ import annotations

import pytest

from assistant.analysis.question import analyse
from assistant.answer.candidates import _spans
from assistant.answer.evidence import about, fits, stance
from assistant.numbers import figures


def test_evidence_about_another_country_is_not_about_the_question() -> None:
    analysis = analyse("What is the Philippines' outsourcing export revenue?")
    assert not about(analysis, "South Africa's sector exported services worth R25 billion in 2023.", "South Africa")
    assert about(analysis, "The industry earned USD 38 billion in 2024.", "The Philippines' IT-BPM sector")


def test_the_type_of_evidence_must_fit_the_question() -> None:
    share = analyse("What share of leaders cut staff because of AI?")
    found, surveyed = "Gartner found 20% had cut staff.", "Gartner surveyed 321 leaders."
    assert fits(share, found, {f.kind for f in figures(found)})
    assert not fits(share, surveyed, {f.kind for f in figures(surveyed)})
    when = analyse("When do the transparency duties apply?")
    assert fits(when, "They apply from 2 August 2026.", set())
    why = analyse("Why did Klarna rehire people?")
    assert fits(why, "It rehired because quality had dropped.", set())
    assert not fits(why, "Why it matters: boards cite the case.", set())


@pytest.mark.parametrize(("sentence", "side"), [
    ("Labour costs in Kenya can be up to 80% lower than in Western markets.", "for"),
    ("The sector could add 1.5 million new jobs by 2030.", "for"),
    ("Customers complained and the bank reversed the job cuts after the union's challenge.", "against"),
    ("Les coupures d'électricité restent un risque pour les centres d'appels.", "against"),
    ("The survey covered 321 leaders.", "neutral"),
])
def test_stance(sentence: str, side: str) -> None:
    assert stance(sentence) == side


def test_a_quotation_carries_the_next_sentence_that_names_its_speaker() -> None:
    text = ('"This is a massive win for workers," the union said once the decision was public. '
            "Julia Angrisano, the union's national secretary, called it a victory for staff. The bank declined.")
    spans = [text[a:b] for a, b in _spans(text)]
    assert spans[0].startswith('"This is a massive win') and spans[0].endswith("a victory for staff.")
    assert spans[1] == "The bank declined."
