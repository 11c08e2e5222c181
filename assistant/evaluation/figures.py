"""Does a text state a required fact? Normalised text, regexes, and figures with unit and tolerance.

"20 %", "20%", "20 percent", "20 pour cent", "one in five", "one organisation in five" and
"une entreprise sur cinq" are all the figure 20 percent; "1,5 million" and "1.5 million" and
"1,500,000" are all 1.5 million. Digits are normalised by ``assistant.text.numbers_in``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fold, numbers_in
from .dataset import RequiredFact

# The shape of number assistant.text reads, plus "1,500,000" (several comma groups), kept
# here to know where each number sits in the text. A capital letter may stand before it
# ("R13.6 billion", "US$378"); a lowercase letter or digit may not.
_COMMA_GROUPS = r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?"
_NUMBER = re.compile(
    rf"(?<![\d.,a-z_])(?:{_COMMA_GROUPS}|\d+(?:[ \u00a0\u202f]\d{{3}})*(?:[.,]\d+)?)"
)
_PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per\s+cent\b|pour\s*cent\b|pct\b)", re.IGNORECASE)
_SCALE_AFTER = re.compile(
    r"\s*(millions?|billions?|bn|milliards?|thousands?|mille|trillions?)\b", re.IGNORECASE
)
_SCALES = {
    "million": 1e6, "millions": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9, "milliard": 1e9,
    "milliards": 1e9, "thousand": 1e3, "thousands": 1e3, "mille": 1e3, "trillion": 1e12,
    "trillions": 1e12,
}
# Number words, English and French (folded). "un"/"une" are also articles, so they count
# only inside a fraction ("un sur cinq") or before a scale word ("un million").
_CARDINALS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "onze": 11, "douze": 12, "vingt": 20, "cent": 100,
}
_ARTICLES = {"un": 1, "une": 1, "a": 1, "an": 1}
_NUMBER_WORD = "|".join(sorted(set(_CARDINALS) | set(_ARTICLES), key=len, reverse=True))
_FRACTION = re.compile(
    rf"\b(?P<num>\d+|{_NUMBER_WORD})\s+(?:[^\W\d]+\s+){{0,2}}?(?:in|out\s+of|sur)\s+"
    rf"(?P<den>\d+|{_NUMBER_WORD})\b"
)
_SHARE_WORDS = {
    r"\b(?:a|one)\s+half\b|\bhalf\b|\bmoitie\b": 50.0,
    r"\b(?:a|one|un)\s+(?:third|tiers)\b": 100 / 3,
    r"\b(?:two|deux)\s+(?:thirds|tiers)\b": 200 / 3,
    r"\b(?:a|one|un)\s+(?:quarter|quart)\b": 25.0,
    r"\b(?:three|trois)\s+(?:quarters|quarts)\b": 75.0,
}
_WORD_SCALE = re.compile(rf"\b(?P<word>{_NUMBER_WORD})\s+(?P<scale>{'|'.join(_SCALES)})\b")
_WORD_ALONE = re.compile(rf"\b(?P<word>{'|'.join(sorted(_CARDINALS, key=len, reverse=True))})\b")
_PERCENT_UNITS = {"%", "percent", "per cent", "pour cent", "pourcent", "pct", "pourcentage"}


@dataclass(frozen=True)
class Figure:
    """One figure stated in a text: its value as written, whether it is a percentage, its size."""

    value: float
    percent: bool
    magnitude: float


def _word_value(word: str) -> float:
    return float(_CARDINALS.get(word, _ARTICLES.get(word, 0)))


def _number_value(raw: str) -> float | None:
    if re.fullmatch(_COMMA_GROUPS, raw):
        return float(raw.replace(",", ""))
    normalised = numbers_in(raw)
    return float(next(iter(normalised))) if len(normalised) == 1 else None


def find_figures(text: str) -> list[Figure]:
    """Every figure in ``text``: digits (with % or a scale word after them), number words, shares."""
    figures: list[Figure] = []
    for match in _NUMBER.finditer(text):
        value = _number_value(match.group())
        if value is None:
            continue
        rest = text[match.end():]
        percent = bool(_PERCENT_AFTER.match(rest))
        scale_match = None if percent else _SCALE_AFTER.match(rest)
        scale = _SCALES[scale_match.group(1).lower()] if scale_match else 1.0
        figures.append(Figure(value, percent, value * scale))
    folded = fold(text.replace("’", "'"))
    for match in _FRACTION.finditer(folded):
        numerator, denominator = (
            float(g) if g.isdigit() else _word_value(g) for g in (match["num"], match["den"])
        )
        if 1 <= numerator < denominator <= 100:
            share = 100 * numerator / denominator
            figures.append(Figure(share, True, share))
    for pattern, share in _SHARE_WORDS.items():
        if re.search(pattern, folded):
            figures.append(Figure(share, True, share))
    for match in _WORD_SCALE.finditer(folded):
        value = _word_value(match["word"])
        figures.append(Figure(value, False, value * _SCALES[match["scale"]]))
    for match in _WORD_ALONE.finditer(folded):
        value = _word_value(match["word"])
        figures.append(Figure(value, False, value))
    return figures


def unit_scale(unit: str | None) -> float:
    folded = fold(unit or "")
    return next((scale for word, scale in _SCALES.items() if re.search(rf"\b{word}\b", folded)), 1.0)


def is_percent_unit(unit: str | None) -> bool:
    return fold(unit or "").strip() in _PERCENT_UNITS


def number_found(fact: RequiredFact, text: str) -> bool:
    """A percentage must be stated as one; any other figure is compared by size.

    The size comparison lets "1.5 million" meet a fact of 1500000 and "US$50 million" meet a
    fact of 50 with unit "million USD"; the tolerance is absolute, in the fact's unit.
    """
    target = float(fact.value)
    if is_percent_unit(fact.unit):
        return any(f.percent and abs(f.value - target) <= fact.tolerance + 1e-9 for f in find_figures(text))
    scale = unit_scale(fact.unit)
    return any(
        not f.percent and abs(f.magnitude - target * scale) <= (fact.tolerance + 1e-9) * scale
        for f in find_figures(text)
    )


def normalise(text: str) -> str:
    """Casefolded, accents folded, typographic apostrophes and spaces made plain."""
    return re.sub(r"\s+", " ", fold(text.replace("’", "'").replace("\u2011", "-"))).strip()


def fact_found(fact: RequiredFact, text: str) -> bool:
    if fact.kind == "number":
        return number_found(fact, text)
    if fact.kind == "text":
        return normalise(str(fact.value)) in normalise(text)
    pattern = re.compile(str(fact.value), re.IGNORECASE)
    return bool(pattern.search(text) or pattern.search(normalise(text)))
