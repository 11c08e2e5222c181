"""The false premise of a question, named by what it asserts, and found in an answer whatever the wording.

A premise is either a **figure** (a value with its unit and the subject it is about: "Klarna fired
700 agents" is ``{kind: figure, value: 700, unit: people, subject: Klarna}``) or a **claim** (an
entity and what is asserted of it, as a pattern over both languages:
``{kind: claim, subject: Air Canada, claim: "won|gagn|en (sa )?faveur"}``).

A figure premise is stated by any figure of the same kind and size, with or without the noun
after it: "fired 700", "700 people were laid off", "sept cents licenciements" (compound number
words are read here, not only the digits). A claim premise is stated by a sentence that names the
subject and matches the claim. The subject of a figure is recorded for the reader of the record;
it is not required in the sentence ("700 people were laid off" states it without the name).

An answer fails when a claim (sentence, bullet or quote) states the premise and no correction
comes at or before it: a claim that states one of the required facts and cites a quote that holds
it (``scoring.py``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ..numbers import CARDINALS, Figure, figures, fold
from .facts import parse_unit, text_stated

_EPSILON = 1e-9
# "sept cents", "seven hundred", "deux mille", "three thousand": a cardinal times a scale word.
_MULTIPLIERS = {"hundred": 100, "hundreds": 100, "cent": 100, "cents": 100, "thousand": 1000, "thousands": 1000,
                "mille": 1000}
_COMPOUND = re.compile(r"\b(?P<n>" + "|".join(sorted(CARDINALS, key=len, reverse=True)) + r")[\s-]+(?P<m>"
                       + "|".join(_MULTIPLIERS) + r")\b")


class Premise(BaseModel):
    """What a false-premise question asserts that the corpus contradicts."""

    kind: Literal["figure", "claim"]
    subject: str = Field(min_length=1, description="Who or what the premise is about.")
    aliases: list[str] = Field(default_factory=list, description="claim: other names of the subject.")
    value: float | None = Field(None, description="figure: the asserted number, in the unit.")
    unit: str | None = Field(None, description="figure: '%', a currency, 'year' or what is counted.")
    claim: str | None = Field(None, description="claim: a regex of what is asserted of the subject, "
                                                "written for both languages.")

    @model_validator(mode="after")
    def _complete(self) -> Premise:
        if self.kind == "figure":
            if self.value is None or not self.unit:
                raise ValueError("a figure premise needs value and unit")
            parse_unit(self.unit)
        else:
            if not self.claim:
                raise ValueError("a claim premise needs claim (a regex)")
            re.compile(self.claim)
        return self

    def describe(self) -> str:
        if self.kind == "figure":
            return f"{self.subject}: {float(self.value or 0):g} {self.unit}"
        return f"{self.subject}: /{self.claim}/"

    def stated_in(self, text: str) -> bool:
        if self.kind == "claim":
            pattern = re.compile(self.claim or "", re.IGNORECASE)
            said = bool(pattern.search(text) or pattern.search(fold(text)))
            return said and any(text_stated(name, text) for name in [self.subject, *self.aliases])
        unit = parse_unit(self.unit or "")
        value = float(self.value or 0) * unit.scale
        return any(_same(f, value, unit.kind) for f in figures(text)) or (
            unit.kind == "count" and any(abs(v - value) <= _EPSILON for v in compound_numbers(text)))


def _same(figure: Figure, value: float, kind: str) -> bool:
    if kind == "percent":
        return figure.kind == "percent" and abs(figure.value - value) <= _EPSILON
    if kind == "year":
        return figure.kind == "year" and abs(figure.value - value) <= _EPSILON
    if kind == "money":
        return figure.kind == "money" and abs(figure.magnitude - value) <= _EPSILON * max(value, 1.0)
    # a count: "fired 700" has no noun after the number, "700 people" has one; a year is not a count
    return figure.kind in {"count", "plain"} and abs(figure.magnitude - value) <= _EPSILON * max(value, 1.0)


def compound_numbers(text: str) -> list[float]:
    """Numbers written as a cardinal and a scale word ("sept cents" 700, "three thousand" 3000)."""
    return [CARDINALS[m["n"]] * _MULTIPLIERS[m["m"]] for m in _COMPOUND.finditer(fold(text))]
