"""What an extractive answer looks like on the page: quotes best first, labelled groups, a comparison
table, a correction line, "nothing on X, but on Y" (``shapes`` chooses which; this module writes it).

Apart from short labels, table cells copied from the cited quotes and a correction line built
from a cited figure, everything written here is a verbatim quote followed by its ``[n]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Citation, Language

INTRO = {"en": "Here is what the corpus says:", "fr": "Voici ce que dit le corpus :"}
OTHER_LANGUAGE = {"en": " (source in French)", "fr": " (source en anglais)"}
GROUP_LABELS = {
    "en": {"for": "For:", "against": "Against:", "neutral": "Figures to weigh:"},
    "fr": {"for": "Pour :", "against": "Contre :", "neutral": "Chiffres à prendre en compte :"},
}
RISK_LABELS = {
    "en": {"for": "What speaks for it:", "against": "Risks:", "neutral": "Figures to weigh:"},
    "fr": {"for": "Ce qui plaide pour :", "against": "Risques :", "neutral": "Chiffres à prendre en compte :"},
}
TABLE_HEADER = {"en": ("Entity", "Figure", "Date", "Source"), "fr": ("Entité", "Chiffre", "Date", "Source")}
CORRECTION = {"en": "Not {asserted}: the source gives {figure} [{n}].",
              "fr": "Pas {asserted} : la source indique {figure} [{n}]."}
NOTHING_ON = {
    "en": "The corpus has no passage that answers this for {asked}; it has passages on {others}:",
    "fr": "Le corpus n'a aucun passage qui réponde à cette question pour {asked} ; il en a sur {others} :",
}
_AND = {"en": " and ", "fr": " et "}


# The correction line as the eval reads it (its marker taken out), whatever figures fill it in.
CORRECTION_LINE = re.compile("|".join(
    "^" + re.escape(t.replace(" [{n}]", "")).replace(r"\{asserted\}", ".+").replace(r"\{figure\}", ".+") + "$"
    for t in CORRECTION.values()))
# What ``Quoted.line`` writes after a quote's marker: its date, its language. The eval reads them
# for nothing (``evaluation/claims.py``): a date the answerer adds is not a fact the quote states.
ANNOTATION = re.compile(r"(?<=\])(?: \(\d{4}(?:-\d\d){0,2}\))?(?:" + "|".join(
    re.escape(note) for note in OTHER_LANGUAGE.values()) + ")?")


def _labels() -> frozenset[str]:
    """Every fixed string the answerer writes around its quotes: the only words of an answer that
    the eval reads for nothing (``evaluation/claims.py``)."""
    fixed = [*INTRO.values(), *(label for table in (GROUP_LABELS, RISK_LABELS) for labels in table.values()
                                for label in labels.values())]
    fixed += [f"| {' | '.join(header)} |" for header in TABLE_HEADER.values()]
    return frozenset(fixed)


LABELS = _labels()


@dataclass
class ExtractiveResult:
    """An extractive answer: its text, the quotes it cites, the evidence of its best quote, refused or not."""

    answer: str
    citations: list[Citation]
    evidence: float
    refused: bool


@dataclass(frozen=True)
class Quoted:
    """One quote as shown: its citation number, the verbatim text and what is said beside it."""

    n: int
    text: str
    other_language: bool = False
    date: str = ""  # shown when the quote's figures carry no date of their own

    def line(self, language: Language) -> str:
        note = OTHER_LANGUAGE[language] if self.other_language else ""
        dated = f" ({self.date})" if self.date else ""
        return f"- {self.text} [{self.n}]{dated}{note}"


@dataclass(frozen=True)
class Row:
    entity: str
    figure: str  # copied from the quote of citation n
    date: str
    n: int


def listing(quotes: list[Quoted], language: Language, first_line: str | None = None) -> str:
    lines = [first_line] if first_line else []
    lines.append(INTRO[language])
    lines.extend(q.line(language) for q in quotes)
    return "\n".join(lines)


def groups(grouped: dict[str, list[Quoted]], language: Language, risks: bool,
           first_line: str | None = None) -> str:
    labels = (RISK_LABELS if risks else GROUP_LABELS)[language]
    lines = [first_line] if first_line else []
    for stance in ("for", "against", "neutral"):
        if grouped.get(stance):
            lines.append(labels[stance])
            lines.extend(q.line(language) for q in grouped[stance])
    return "\n".join(lines)


def table(rows: list[Row], quotes: list[Quoted], language: Language) -> str:
    header = TABLE_HEADER[language]
    lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    lines.extend(f"| {r.entity} | {r.figure} | {r.date or '-'} | [{r.n}] |" for r in rows)
    return "\n".join([*lines, "", listing(quotes, language)])


def correction(asserted: str, figure: str, n: int, language: Language) -> str:
    return CORRECTION[language].format(asserted=asserted, figure=figure, n=n)


def nothing_on(asked: list[str], others: list[str], quotes: list[Quoted], language: Language) -> str:
    first = NOTHING_ON[language].format(asked=_AND[language].join(asked), others=_AND[language].join(others))
    return "\n".join([first, *(q.line(language) for q in quotes)])
