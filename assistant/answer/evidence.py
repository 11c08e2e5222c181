"""Rules a quoted sentence must pass to count as evidence for a question, in code.

- It must be about the question's entities: a sentence on South Africa does not answer a
  question on the Philippines (the document's title and headings count: "the company" in a
  Klarna article is Klarna).
- It must fit the question's type: a figure of the asked kind, a date for "when", a cause for
  "why", a named speaker or organisation for "who".
- Its stance (for, against, neutral) places it in the groups of a should-we, pros-and-cons or
  risks answer.
- A quotation whose speaker is named in the next (or previous) sentence is extended to that
  sentence, so the quote carries its attribution verbatim.
"""

from __future__ import annotations

import re
from typing import Literal

from ..analysis.gazetteer import Entity
from ..analysis.lexicon import AGAINST, CAUSE, DATE, FOR, SPEECH
from ..analysis.question import QuestionAnalysis
from ..text import fold

Stance = Literal["for", "against", "neutral"]

_NAME = r"[A-ZÀ-Ý][\w'’.-]+(?:\s+(?:de |van |von |da |del |le |la )?[A-ZÀ-Ý][\w'’.-]+)+"
# A capitalised name (never "the union") with an optional apposition, before or after a verb of speech.
_NAMED_SPEAKER = re.compile(rf"{_NAME}(?:,\s[^,.;]{{3,90}},?)?\s+(?i:{SPEECH})|(?i:{SPEECH})\s+"
                            rf"(?:[a-zà-ÿ' ]{{0,40}}\s)?{_NAME}")
_QUOTATION = re.compile(r"[\"“«][^\"”»]{8,}[\"”»]")
_PERSON_OR_ORG = re.compile(_NAME)


def cues(sentence: str) -> tuple[int, int]:
    """How many words of the sentence argue for a move, and how many against it."""
    folded = fold(sentence)
    return len(FOR.findall(folded)), len(AGAINST.findall(folded))


def stance(sentence: str) -> Stance:
    return side(*cues(sentence))


def side(pros: int, cons: int) -> Stance:
    """The side a sentence takes, from its ``cues``: the more numerous ones win."""
    if pros > cons:
        return "for"
    if cons > pros:
        return "against"
    return "neutral"


def covers(entity: Entity, sentence: str, context: str) -> bool:
    """The sentence, or its document's title and headings, names the entity."""
    return entity.named_in(sentence) or entity.named_in(context)


def about(analysis: QuestionAnalysis, sentence: str, context: str, passage: str = "") -> bool:
    """About at least one of the question's places and, if it names any, one of its other names.

    A company or a person named anywhere in the sentence's passage counts ("It later changed
    course" in a paragraph on Klarna); a place must be named in the sentence or the document's
    title and headings, since one passage often compares several countries."""
    places = [e for e in analysis.entities if e.kind in ("country", "region")]
    names = [e for e in analysis.entities if e.kind == "name"]
    if places and not any(covers(e, sentence, context) for e in places):
        return False
    return not names or any(covers(e, sentence, context) or e.named_in(passage) for e in names)


def other_places(analysis: QuestionAnalysis, sentence: str, context: str, found: list[Entity]) -> list[Entity]:
    """Places of the same kinds as the question's that this evidence is about instead."""
    kinds = {e.kind for e in analysis.entities if e.kind in ("country", "region")}
    asked = {e.name for e in analysis.entities}
    return [e for e in found if e.kind in kinds and e.name not in asked and covers(e, sentence, context)]


def fits(analysis: QuestionAnalysis, sentence: str, kinds: set[str]) -> bool:
    """The sentence gives what the question type asks for; ``kinds`` are the kinds of its figures."""
    folded = fold(sentence)
    match analysis.kind:
        case "figure":
            if analysis.wants == "count":  # a head count in a table row has no noun after it
                return bool(kinds & {"count", "plain"})
            return analysis.wants in kinds if analysis.wants != "any" else bool(kinds - {"year"})
        case "date":
            return bool(DATE.search(folded))
        case "why":
            return bool(CAUSE.search(folded))
        case "who":
            return bool(_NAMED_SPEAKER.search(sentence) or _PERSON_OR_ORG.search(sentence[1:]))
        case _:
            return True


def is_quotation(sentence: str) -> bool:
    return bool(_QUOTATION.search(sentence))


def names_its_speaker(sentence: str) -> bool:
    return bool(_NAMED_SPEAKER.search(sentence))


def needs_speaker(sentence: str) -> bool:
    """A quotation whose speaker is not named: a pronoun, "the union", or nobody at all."""
    return is_quotation(sentence) and not names_its_speaker(sentence)


_OPENS_WITH_NAME = re.compile(rf"^\s*(?:{_NAME})(?:,|\s+(?:also|then|later|aussi|alors|ensuite)?\s*[a-zà-ÿ])")


def attributes(sentence: str) -> bool:
    """An adjacent sentence that names who spoke: it says so ("..., said Maria Lopez") or it opens
    with the person's name, as reporters write ("Maria Lopez, an analyst at X, added ...")."""
    return names_its_speaker(sentence) or bool(_OPENS_WITH_NAME.match(sentence))
