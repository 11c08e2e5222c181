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

from ..text import fold
from .gazetteer import Entity
from .question import QuestionAnalysis

Stance = Literal["for", "against", "neutral"]

# Stems (folded) that make a sentence an argument for or against a move; English and French.
def _stems(*groups: str) -> re.Pattern[str]:
    """One pattern of word starts, from space-separated groups ("_" stands for a space)."""
    words = [w.replace("_", " ") for group in groups for w in group.split()]
    return re.compile(r"\b(?:" + "|".join(words) + ")", re.IGNORECASE)


_FOR = _stems(
    r"(?:lower|cheaper)_than benefit advantag saving save[sd]?\b cheaper lower_cost cost[s]?_(?:up_to_)?\d",
    r"low(?:er)?_cost grow opportunit attractive skill talent qualified young multilingual",
    r"english-speaking francophone time_zone nearshore invest incentive productiv faster quicker efficien",
    r"improv boost gain creat\w*_(?:\d|jobs|emplois) new_jobs hire hiring reskill upskill resolve[sd]?_\d",
    r"satisf succes resilien scal 24/7 round_the_clock",
    r"avantag econom moins_cher cout[s]?_(?:jusqu'a_)?(?:inferieur|plus_bas) croissance croit opportunite",
    r"attracti competence jeune qualifie multilingue fuseau investi incitat productivit plus_rapide efficac",
    r"amelior gagn embauch recrut formation reconver accroi rendement hausse augment progress increas",
    r"higher_productiv rise\b rising profit record_(?:revenue|profit|results) benefici strength atout point_fort",
    r"exempt exoner tax_(?:holiday|break) below_(?:the_)?(?:cost|wage)",
)
_AGAINST = _stems(
    r"risk danger threat concern worr problem fail error mistake wrong hallucinat complain frustrat",
    r"dissatisf angry backlash lawsuit liab fine[sd]?_ penalt sanction breach ban\b prohibit obligation",
    r"must_(?:tell|inform|disclose) revers rehir backtrack u-turn cut\b layoff laid_off job_loss lose\b",
    r"losing lost shortage attrition turnover lower_quality poor decline drop fell fall slump exposed",
    r"exposure vulnerab replace insult swore prefer_(?:a_)?human not_(?:use|want) refus costly expensive",
    r"higher_cost instabil unrest outage power_cut load.?shedding",
    r"risque menace inquiet probleme echec erreur plainte mecontent colere amende interdi recul revirement",
    r"reembauch suppression licenci perte perd penurie rotation depart qualite_(?:moindre|inferieure|en_baisse)",
    r"baisse chute expos remplac prefer\w*_(?:un_)?humain cher\b couteu instabilit coupure",
    # what is missing, limited or disputed ("lacks a strategy", "not the cheapest", "few large providers")
    r"lack lags? lagging weak limit insecur securit\w*_problem dispute challeng",
    r"withdr backed_down apolog accus uncertain disappoint not_(?:cheapest|lowest) no_longer",
    r"manque retard faibl peu_de litige contest retir excus incertitud insecurit",
    r"vigilance caution unaudit not_audit non_audit dependen dependan lock-in verrouill absence",
    r"nervous nerveu volatil opaque no_public_(?:price|pricing) sans_grille",
)
_CAUSE = re.compile(r"\b(?:because|due to|owing to|as a result|since|so that|in order to|reason|driven by|"
                    r"after|led to|leads? to|caused|thanks to|car\b|parce que|en raison|a cause|grace a|"
                    r"afin de|pour (?:que|eviter)|raison|suite a|apres que|explique|entraine)", re.IGNORECASE)
_DATE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:january|february|march|april|may|june|july|august|september|"
                   r"october|november|december|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|"
                   r"octobre|novembre|decembre)\b", re.IGNORECASE)
_SPEECH = (r"(?:said|says|told|added|explained|warned|noted|argued|wrote|stressed|admitted|insisted|"
           r"acknowledged|commented|declared|called|hailed|described|praised|urged|cautioned|predicted|"
           r"a (?:qualifie|salue|juge|prevenu|mis en garde|declare|dit|explique|ajoute|reconnu|souligne|affirme|"
           r"estime|averti|ecrit|confie|precise|indique)|qualifie|salue|selon|explique|ajoute|estime|affirme|"
           r"souligne|reconnait|according to|d'apres)")
_SPEAKER_VERB = re.compile(rf"\b{_SPEECH}\b", re.IGNORECASE)
_NAME = r"[A-ZÀ-Ý][\w'’.-]+(?:\s+(?:de |van |von |da |del |le |la )?[A-ZÀ-Ý][\w'’.-]+)+"
# A capitalised name (never "the union") with an optional apposition, before or after a verb of speech.
_NAMED_SPEAKER = re.compile(rf"{_NAME}(?:,\s[^,.;]{{3,90}},?)?\s+(?i:{_SPEECH})|(?i:{_SPEECH})\s+"
                            rf"(?:[a-zà-ÿ' ]{{0,40}}\s)?{_NAME}")
_QUOTATION = re.compile(r"[\"“«][^\"”»]{8,}[\"”»]")
_PRONOUN_SPEAKER = re.compile(r"\b(?:he|she|they|it|il|elle|ils|elles)\s+(?:said|says|added|told|warned|noted|"
                              r"explained|wrote|a (?:dit|declare|ajoute|explique))\b|,\s*(?:he|she|they|il|elle)"
                              r"\s+(?:said|says|added|a dit|a ajoute)", re.IGNORECASE)
_PERSON_OR_ORG = re.compile(_NAME)


def cues(sentence: str) -> tuple[int, int]:
    """How many words of the sentence argue for a move, and how many against it."""
    folded = fold(sentence)
    return len(_FOR.findall(folded)), len(_AGAINST.findall(folded))


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
            return bool(_DATE.search(folded))
        case "why":
            return bool(_CAUSE.search(folded))
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
