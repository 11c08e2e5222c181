"""The one number parser (assistant/numbers.py): digits, units, words, and the answerer's two uses."""

from __future__ import annotations

import pytest

from assistant.numbers import amounts, figures, numbers_in

pytestmark = pytest.mark.eval


def only(text: str) -> tuple[float, str, str | None, float]:
    found = figures(text)
    assert len(found) == 1, found
    figure = found[0]
    return figure.value, figure.kind, figure.currency, figure.scale


@pytest.mark.parametrize(("text", "expected"), [
    ("20 %", (20.0, "percent", None, 1.0)),
    ("20\u202f%", (20.0, "percent", None, 1.0)),
    ("20 pour cent", (20.0, "percent", None, 1.0)),
    ("1,5 %", (1.5, "percent", None, 1.0)),
    ("US$378 million", (378.0, "money", "USD", 1e6)),
    ("378 millions de dollars", (378.0, "money", "$", 1e6)),
    ("325 millions d'euros", (325.0, "money", "EUR", 1e6)),
    ("325 M€", (325.0, "money", "EUR", 1e6)),
    ("€325m", (325.0, "money", "EUR", 1e6)),
    ("213,7 milliards de FCFA", (213.7, "money", "XOF", 1e9)),
    ("R13.6 billion", (13.6, "money", "ZAR", 1e9)),
    ("26,2 milliards de dirhams", (26.2, "money", "MAD", 1e9)),
    ("PHP 1,200", (1200.0, "money", "PHP", 1.0)),
    ("INR 45,000", (45000.0, "money", "INR", 1.0)),
    ("650,88 $ CA", (650.88, "money", "CAD", 1.0)),
    ("16 USD", (16.0, "money", "USD", 1.0)),
    ("1,500,000", (1_500_000.0, "plain", None, 1.0)),
    ("15 000 emplois", (15_000.0, "count", None, 1.0)),
    ("1 500 agents", (1_500.0, "count", None, 1.0)),
    ("15k seats", (15.0, "count", None, 1e3)),
    ("in 2025", (2025.0, "year", None, 1.0)),
    ("2,025 people", (2025.0, "count", None, 1.0)),
])
def test_digits_with_their_kind_currency_and_scale(text: str, expected: tuple[float, str, str | None, float]) -> None:
    assert only(text) == expected


def test_a_count_knows_the_words_after_it_and_stops_at_a_sentence_end() -> None:
    figure = figures("Gartner surveyed 321 customer service leaders. Then it stopped.")[0]
    assert figure.kind == "count" and figure.words_after[:3] == ("customer", "service", "leaders")
    assert figures("a 321-page report on leaders")[0].words_after == ("page",)
    assert figures("It hired 40. Leaders left.")[0].words_after == ()


def test_ranges_share_their_unit() -> None:
    assert [(f.value, f.kind) for f in figures("30-50% of contacts")] == [(30.0, "percent"), (50.0, "percent")]
    assert [(f.value, f.kind) for f in figures("entre 30 et 50 pour cent")] == [(30.0, "percent"), (50.0, "percent")]
    assert [(f.magnitude, f.currency) for f in figures("$2-3 million")] == [(2e6, "$"), (3e6, "$")]
    people = figures("from about 9,000 to about 5,000 people")
    assert all("people" in f.words_after for f in people)


@pytest.mark.parametrize(("text", "value"), [
    ("one in five", 20.0), ("1 in 5 companies", 20.0), ("roughly one organisation in five", 20.0),
    ("un sur cinq", 20.0), ("une entreprise sur cinq", 20.0), ("nine out of ten", 90.0),
    ("half of the companies", 50.0), ("la moitié des entreprises", 50.0), ("two thirds of calls", 200 / 3),
    ("un quart des appels", 25.0),
])
def test_unambiguous_shares_in_words(text: str, value: float) -> None:
    assert [f.value for f in figures(text) if f.kind == "percent"] == [pytest.approx(value)]


@pytest.mark.parametrize("text", [
    "cent", "the first half of 2025", "one company in 20 countries", "a company", "une entreprise",
    "one of them", "un centre neuf", "second half",
])
def test_words_that_are_not_shares_or_counts(text: str) -> None:
    assert not [f for f in figures(text) if f.in_words and (f.kind == "percent" or f.value == 1.0)]


def test_number_words_count_nouns_and_scale() -> None:
    assert [(f.value, f.kind, f.words_after[:1]) for f in figures("three countries")] == [
        (3.0, "count", ("countries",))]
    assert [(f.value, f.words_after[:1]) for f in figures("trois pays")] == [(3.0, ("pays",))]
    assert [f.magnitude for f in figures("un million d'emplois")] == [1e6]
    assert [f.magnitude for f in figures("one million jobs")] == [1e6]
    assert figures("un nouveau client") == []


def test_spans_point_at_the_figure() -> None:
    text = "CCI Global invests US$378 million in Africa."
    figure = figures(text)[0]
    assert text[figure.start:figure.end] == "378 million"


def test_numbers_in_keeps_the_citation_validator_behaviour() -> None:
    assert numbers_in("20 %, 3,412 people, 1,5 point, 15 000 jobs, 213.7 billion") == {
        "20", "3412", "1.5", "15000", "213.7"}
    assert numbers_in("R13.6 bn, US$378, COVID19, Q3") == {"13.6", "378"}


def test_amounts_keeps_the_extractive_answerer_behaviour() -> None:
    assert amounts("CCI Global invests US$378 million, 94% of it in Africa, by 2027.") == {
        ("378", "money"), ("94", "percent")}
    assert amounts("325 millions d'euros et 12 564 jeunes") == {("325", "money"), ("12564", "count")}
    # The answerer's own money words, kept as they were: "2 $" after the number is not one of them.
    assert amounts("La compagnie a payé 2 $ pour une conversation.") == {("2", "count")}
    assert amounts("Gartner surveyed 321 leaders in 2025") == {("321", "count")}
