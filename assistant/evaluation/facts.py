"""Does a text state a required fact? Figures with their unit, words on word boundaries, regexes.

A number fact is stated only with its unit or kind, read from ``unit``:

- ``'%'`` (or percent, pour cent): a percentage ("20 %", "20 percent", "one in five");
- a currency, with or without a scale ("million USD", "milliards FCFA", "billion rand", "CAD"):
  an amount in that currency ("US$378 million", "378 millions de dollars", "$650.88");
- ``year`` / ``année``: that year written as a year;
- a noun, with or without a scale ("leaders", "emplois", "million conversations"): the number
  followed within five words by a word of the noun's group (``units.py``, English and French);
  "321 customer service leaders" states 321 leaders, "a 321-page report" does not.

Figures are read by ``assistant.numbers.figures``; "1,5 million", "1.5 million" and "1,500,000"
are the same size, compared in the fact's unit with its absolute ``tolerance``.
Text facts match on word boundaries, case and accents folded ("CCI" is not in "accident").
Regex facts are searched case-insensitively in the raw and the folded text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

from ..numbers import SCALES, Figure, currency_code, currency_meets, figures, fold
from .units import states_unit, unit_words

FactKind = Literal["percent", "money", "year", "count"]
_PERCENT_UNITS = {"%", "percent", "per cent", "pour cent", "pourcent", "pct", "pourcentage"}
_YEAR_UNITS = {"year", "annee", "an", "date"}
_EPSILON = 1e-9


@dataclass(frozen=True)
class Unit:
    """A number fact's unit, read: its kind, scale, currency code and the words that state it."""

    kind: FactKind
    scale: float = 1.0
    currency: str | None = None
    words: frozenset[str] = frozenset()


@lru_cache(maxsize=512)
def parse_unit(unit: str, synonyms: tuple[str, ...] = ()) -> Unit:
    """'%' -> percent; 'million USD' -> money (1e6, USD); 'year' -> year; 'million conversations' ->
    count of conversations, scale 1e6. Raises ``ValueError`` for an empty unit."""
    text = fold(unit).strip()
    if not text:
        raise ValueError("a number fact needs a unit ('%', a currency, 'year' or what it counts)")
    if text in _PERCENT_UNITS:
        return Unit("percent")
    if text in _YEAR_UNITS:
        return Unit("year")
    scale, currency, nouns = 1.0, None, []
    for word in unit.split():
        folded = fold(word)
        if folded in SCALES and folded not in {"m", "k", "md", "mds"}:
            scale = SCALES[folded]
        elif currency_code(word) is not None and currency is None:
            currency = currency_code(word)
        else:
            nouns.append(folded)
    if currency is not None:
        return Unit("money", scale, currency)
    noun = " ".join(nouns)
    if not noun:
        raise ValueError(f"unit {unit!r} names no currency and nothing counted")
    return Unit("count", scale, None, unit_words(noun, tuple(fold(s) for s in synonyms)))


def figure_meets(figure: Figure, value: float, tolerance: float, unit: Unit) -> bool:
    if unit.kind == "percent":
        return figure.kind == "percent" and abs(figure.value - value) <= tolerance + _EPSILON
    if unit.kind == "year":
        return figure.kind == "year" and abs(figure.value - value) <= tolerance + _EPSILON
    size_ok = abs(figure.magnitude - value * unit.scale) <= (tolerance + _EPSILON) * unit.scale
    if unit.kind == "money":
        return figure.kind == "money" and currency_meets(figure.currency, unit.currency or "") and size_ok
    return (figure.kind in {"count", "plain", "year"} and size_ok
            and states_unit(figure.words_after, unit.words))


def number_stated(value: float, unit_text: str, text: str, tolerance: float = 0.0,
                  synonyms: tuple[str, ...] = ()) -> bool:
    unit = parse_unit(unit_text, synonyms)
    return any(figure_meets(f, value, tolerance, unit) for f in figures(text))


def normalise(text: str) -> str:
    """Casefolded, accents folded, typographic apostrophes, hyphens and spaces made plain."""
    return re.sub(r"\s+", " ", fold(text.replace("\u2011", "-").replace("\u2010", "-"))).strip()


def text_stated(value: str, text: str) -> bool:
    """``value`` as whole words of ``text`` (case and accents folded)."""
    wanted = normalise(value)
    pattern = rf"(?<![\w]){re.escape(wanted)}(?![\w])"
    return re.search(pattern, normalise(text)) is not None


def regex_stated(pattern: str, text: str) -> bool:
    compiled = re.compile(pattern, re.IGNORECASE)
    return bool(compiled.search(text) or compiled.search(normalise(text)))


class FactLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> float | str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def tolerance(self) -> float: ...
    @property
    def synonyms(self) -> list[str]: ...
    @property
    def any_of(self) -> Sequence[FactLike]: ...


def fact_found(fact: FactLike, text: str) -> bool:
    """Whether ``text`` states ``fact`` (a ``dataset.RequiredFact``)."""
    if fact.kind == "any":
        return any(fact_found(alternative, text) for alternative in fact.any_of)
    if fact.kind == "number":
        return number_stated(float(fact.value), fact.unit or "", text, fact.tolerance, tuple(fact.synonyms))
    if fact.kind == "text":
        return text_stated(str(fact.value), text)
    return regex_stated(str(fact.value), text)
