"""What a question asks, in French or English, without a language model.

The answerer needs to know the question's *type* (a figure, a date, a person, a cause, a
decision to weigh, a comparison...), the *entities* it is about (countries, companies, people,
programmes), and any figure it *asserts* ("Why did Gartner say 60% ..."), so that evidence about
another entity, evidence of the wrong type and a false premise can each be caught in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ..models import Language
from ..numbers import Figure, figures
from ..text import detect_language, fold, split_sentences
from .gazetteer import COUNTRIES, Entity, country_in, named_entities
from .safety import looks_like_injection

QuestionType = Literal[
    "figure", "date", "who", "why", "yes_no", "should_we", "pros_cons", "risks", "comparison", "list",
    "definition", "open",
]
FigureKind = Literal["percent", "money", "count", "any"]
# Types answered with labelled groups (for / against / figures to weigh) rather than a list of quotes.
WEIGHING: frozenset[QuestionType] = frozenset({"should_we", "pros_cons", "risks"})

_PATTERNS: list[tuple[QuestionType, str]] = [
    ("pros_cons", r"\b(?:advantage|benefit|upside|pro|atout|avantage|strength|force|plus)s?\b.{0,40}\b(?:risk|danger|"
                  r"drawback|downside|con|inconvénient|vigilance|weakness|faiblesse|limite|minus)s?\b|"
                  r"\bpros?\b.{0,12}\bcons?\b|advantages? and (?:dis)?advantages?|advantages and drawbacks|"
                  r"benefits? and (?:risks?|drawbacks?|costs?)|trade-?offs?|upsides? and downsides?|"
                  r"avantages? et (?:les )?(?:inconvénients|risques|limites)|\bpour et (?:le )?contre\b|"
                  r"points? forts? et (?:points? )?faibles?"),
    ("should_we", r"^\s*(?:so,?\s*)?(?:should (?:we|i|our|a company|companies|a firm|firms|my)|is it (?:a good idea|"
                  r"worth|wise|smart|sensible)|would it (?:make sense|be wise)|do we need to|does it make sense|"
                  r"faut-il|devrions-nous|devons-nous|doit-on|dois-je|est-ce (?:une bonne idée|judicieux|pertinent|"
                  r"raisonnable)|vaut-il (?:mieux|la peine)|avons-nous intérêt|"
                  r"(?:est|serait)-(?:il|ce) (?:judicieux|pertinent|raisonnable|rentable|une bonne idée|sage))"),
    ("risks", r"\b(?:risks?|risky|dangers?|dangerous|pitfalls?|downsides?|drawbacks?|what (?:could|can) go wrong|"
              r"risqué|risquée|dangereux|"
              r"risques?|dangers?|écueils?|inconvénients?|pièges?|ce qui peut mal tourner)\b"),
    ("comparison", r"\b(?:compare[ds]?|comparison|comparing|versus|vs\.?|compared (?:to|with)|"
                   r"difference between|differ|which (?:is|was|one is) (?:cheaper|bigger|larger|better|more|less)|"
                   r"comparer|comparaison|par rapport (?:à|au|aux)|plutôt que|différence entre|"
                   r"(?:lequel|laquelle|lesquels) (?:est|sont|coûte)|moins cher|plus cher)\b"),
    ("who", r"^\s*(?:who\b|whom\b|which (?:[A-Z][\w&-]* ){0,2}(?:analyst|company|companies|person|executive|"
            r"official|firm|firms|organi[sz]ation|body|vendor|bank|union|minister|expert|researcher)s?\b|"
            r"qui\b|quel(?:le)?s? (?:[A-Z][\w&-]* ){0,2}(?:analyste|entreprise|société|dirigeant|responsable|"
            r"organisme|cabinet|fournisseur|banque|syndicat|ministre|expert|chercheur)s?\b)|"
            r"\bwho (?:said|says|told|warned)\b|"
            r"\b(?:according to whom|selon qui)\b"),
    # "When does Intercom bill a conversation?" asks for a condition, not a date: only a past event, or
    # a start, an application or a deadline, asks "when" for a date.
    ("date", r"^\s*(?:when (?:did|was|were)\b|when\b.{0,80}\b(?:appl(?:y|ies)|start|begin|enter|take effect|"
             r"come into|launch|happen|announce|publish|due|expected|deadline)|since when|from when|by when|"
             r"what date|which date|in (?:what|which) year|à partir de quand|depuis quand|jusqu'à quand|"
             r"en quelle année|quelle date|à quelle date|quand (?:a|ont|est|sont|était)\b|"
             r"quand\b.{0,80}\b(?:s'appliqu|entr|commenc|début|prend effet|annonc|publi))"),
    ("why", r"^\s*(?:why\b|for what reason|what (?:is|was|were) the reasons?|how come|pourquoi\b|"
            r"pour quelle raison|quelles? (?:sont|est|étaient|était) (?:les |la )?raisons?)"),
    ("figure", r"\b(?:how (?:many|much)|what (?:share|percentage|proportion|part|number|figure|amount|size|"
               r"revenue|salary|wage|cost|price|valuation|fine|budget)|at what (?:price|cost)|"
               r"combien|quel(?:le)?s? (?:part|pourcentage|proportion|nombre|montant|chiffre|taille|"
               r"coût|prix|salaire|valorisation|amende|budget|chiffre d'affaires|effectif))\b"),
    ("list", r"^\s*(?:list\b|name (?:the|all)|which (?:countries|companies|vendors|platforms|locations|"
             r"obligations|rules)|what are the (?:main|key)? ?(?:countries|companies|vendors|obligations|options)|"
             r"quels sont les (?:pays|fournisseurs|éditeurs|principaux)|quelles sont les (?:obligations|"
             r"principales|entreprises)|citez)"),
    ("definition", r"^\s*(?:what (?:is|are) (?:a|an)\b|what does .{1,40} mean|define\b|qu'est-ce qu(?:e|'un|'une)\b|"
                   r"que (?:signifie|veut dire)|c'est quoi)"),
    ("yes_no", r"^\s*(?:is|are|does|do|did|was|were|has|have|had|can|could|will|would|est-ce que?|y a-t-il|"
               r"a-t-on|peut-on|[a-zà-ÿ]+-(?:t-)?(?:il|elle|ils|elles|on)\b)"),
]
_COMPILED = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _PATTERNS]
_PERCENT_WORDS = re.compile(r"\b(?:share|percentage|proportion|per ?cent|part|pourcentage|taux|rate)s?\b|"
                            r"\bhow much of\b|\bwhat part of\b|\bquelle part\b",
                            re.IGNORECASE)
_MONEY_WORDS = re.compile(
    r"\b(?:how much|cost|pric|charg|bill|factur|revenue|salar(?:y|ies)\b|wage|pay\b|valuation|fine[sd]?\b|budget|"
    r"invest|spend|export|earn|coût|cout|prix|chiffre d'affaires|salaire|rémunér|valorisation|amende|montant|"
    r"dépens|gagn|recette|dollars?|euros?)", re.IGNORECASE)
# Nouns of counting: the kind wanted once a clause asks for a figure ("how many" itself is ``_COUNTING``).
_COUNT_WORDS = re.compile(r"\b(?:jobs|employees|agents|people|"
                          r"workers|staff|emplois|salariés|personnes|postes|effectifs?|headcount)\b", re.IGNORECASE)
_COMPARATIVE = re.compile(r"\b(?:less|more|cheaper|better|bigger|larger|faster|lower|higher|lequel|laquelle|moins|"
                          r"plus|mieux|meilleur|convient)\b|-er than", re.IGNORECASE)
# "compare X, Y and Z", "X or Y?", "A and B": the pieces of a compound question.
_SPLIT_AND = re.compile(r"\s*(?:,|\band\b|\bor\b|\bet\b|\bou\b|\bvs\.?|\bversus\b|\bplutôt que\b)\s*",
                        re.IGNORECASE)


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    language: Language
    kind: QuestionType
    entities: tuple[Entity, ...] = ()
    asserted: tuple[Figure, ...] = ()
    wants: FigureKind = "any"
    parts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def weighing(self) -> bool:
        return self.kind in WEIGHING

    @property
    def countries(self) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == "country")


def question_type(question: str) -> QuestionType:
    """The first matching pattern wins: "pros and cons of moving to Kenya?" is pros_cons, not yes/no."""
    for kind, pattern in _COMPILED:
        if pattern.search(question):
            return kind
    return "open"


# "How many people ...", "combien de salariés ...": a count, whatever else the question mentions
# ("... has AI cost jobs?"), unless what is counted is money ("how many dollars").
_COUNTING = re.compile(r"\b(?:how many|combien d[e'’]|number of|nombre d[e'’])\s*(?!(?:dollars|euros|money|argent)\b)",
                       re.IGNORECASE)
# "By how much did it raise output?", "de combien a-t-il augmenté ?": a change, in any unit.
_CHANGE = re.compile(r"\b(?:by how much|de combien)\b", re.IGNORECASE)


_CLAUSES = re.compile(r",?\s+(?:and|et)\s+(?=how|what|which|quel|combien)|[;?]\s+", re.IGNORECASE)


def wanted_figure(question: str, nouns: bool = True) -> FigureKind:
    """The kind of figure a look-up asks for; "any" when its parts ask for different kinds
    ("how many work there, and what is the minimum wage?"). ``nouns``: a noun of counting ("jobs",
    "agents") says what kind is wanted once the question asks for a figure, not that it asks for one."""
    kinds = {_clause_wants(part, nouns) for part in _CLAUSES.split(question) if part.strip()}
    kinds.discard("any")
    return kinds.pop() if len(kinds) == 1 else "any"


def _clause_wants(clause: str, nouns: bool) -> FigureKind:
    if _CHANGE.search(clause):
        return "any"
    if _PERCENT_WORDS.search(clause):
        return "percent"
    if _COUNTING.search(clause):
        return "count"
    if _MONEY_WORDS.search(clause):
        return "money"
    if nouns and _COUNT_WORDS.search(clause):
        return "count"
    return "any"


def parts_of(question: str, entities: tuple[Entity, ...]) -> tuple[str, ...]:
    """The sub-questions of a compound one: one per entity compared, or the clauses of "A and B"."""
    if len(entities) >= 2:
        return tuple(entity.name for entity in entities)
    pieces = [p for p in re.split(r"\?\s+|\s*;\s*", question.strip()) if len(p.split()) >= 3]
    return tuple(pieces) if len(pieces) >= 2 else (question.strip(),)


def analyse_turn(question: str, standalone: str, language: Language) -> QuestionAnalysis:
    """A follow-up ("And in Kenya?") is about what it names, asked the way the earlier question asked."""
    own, whole = analyse(question, language), analyse(standalone, language)
    if standalone == question:
        return own
    return QuestionAnalysis(
        text=question, language=language, kind=own.kind if own.kind != "open" else whole.kind,
        entities=own.entities or whole.entities, asserted=own.asserted,
        wants=own.wants if own.wants != "any" else whole.wants, parts=own.parts,
    )


def analyse(question: str, language: Language | None = None) -> QuestionAnalysis:
    language = language or detect_language(question)
    # Orders to the assistant ("... and reveal the bot token") are not part of what is asked.
    asked = " ".join(question[a:b] for a, b in split_sentences(question) if not looks_like_injection(question[a:b]))
    question = asked or question
    entities = named_entities(question)
    kind = question_type(question)
    if kind not in WEIGHING and len(entities) >= 2 and re.search(r"\bor\b|\bou\b|:", question, re.IGNORECASE) \
            and _COMPARATIVE.search(question):
        kind = "comparison"  # "Is Kenya or Morocco cheaper?", "who charges less: Zendesk or Intercom?"
    if kind in ("open", "definition") and re.match(r"\s*(?:what|which|quel|quelle)", question, re.IGNORECASE) \
            and wanted_figure(question, nouns=False) != "any":
        kind = "figure"  # "What is the Philippines' export revenue?"
    # A look-up ("what share of the 321 leaders...") names figures; any other question that states a
    # share, an amount or a count asserts it ("Why did Gartner say 60% cut staff?").
    asserted = () if kind in ("figure", "comparison", "list") else tuple(
        f for f in figures(question) if f.kind in ("percent", "money") or (f.kind == "count" and f.magnitude >= 10))
    return QuestionAnalysis(
        text=question, language=language, kind=kind, entities=entities, asserted=asserted,
        wants=wanted_figure(question) if kind in ("figure", "comparison") else "any",
        parts=parts_of(question, entities),
    )


__all__ = ["COUNTRIES", "WEIGHING", "Entity", "QuestionAnalysis", "analyse", "country_in", "fold",
           "question_type"]
