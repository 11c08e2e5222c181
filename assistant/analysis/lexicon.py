"""The words the question analysis and the evidence rules read, English and French: each list written
once, here, and compiled once, at import.

Lists of words are keyed by language; a list that the rules count matches of (the stems that argue
for or against a move) keeps one order across languages, since the order of alternatives decides
which match wins, and each of its lines says its language. Folded lists (no accents, lower case) are
matched against ``fold``-ed text. Years come from the number parser (``numbers.YEAR``, ``ANY_YEAR``).
"""

from __future__ import annotations

import re
from typing import Literal

from ..folding import fold
from ..models import Language
from ..numbers import ANY_YEAR

QuestionType = Literal[
    "figure", "date", "who", "why", "yes_no", "should_we", "pros_cons", "risks", "comparison", "list",
    "definition", "open",
]


def _alternatives(words: str) -> str:
    """Space-separated words as regex alternatives ("_" stands for a space)."""
    return "|".join(w.replace("_", " ") for w in words.split())


# -- what a look-up asks a figure of -----------------------------------------------------------------
# Nouns after "what" / "quel": the first ones ask for a quantity, the others for a figure of some kind.
QUANTITY_NOUNS: dict[Language, str] = {"en": "share percentage proportion part number figure",
                                       "fr": "part pourcentage proportion nombre montant chiffre"}
FIGURE_NOUNS: dict[Language, str] = {
    "en": "amount size revenue salary wage cost price valuation fine budget",
    "fr": "taille coût prix salaire valorisation amende budget chiffre_d'affaires effectif",
}
QUANTITY_WORDS: dict[Language, str] = {"en": "percent amount", "fr": "pourcentage montant"}
_QUANTITY_EN, _QUANTITY_FR = (_alternatives(QUANTITY_NOUNS[lang]) for lang in ("en", "fr"))
_FIGURE_EN, _FIGURE_FR = (_alternatives(FIGURE_NOUNS[lang]) for lang in ("en", "fr"))
# A question that asks how many, how much or what share (its answer's figures score as fitting).
QUANTITY_QUESTION = re.compile(
    rf"\b(?:how (?:many|much)|what (?:{_QUANTITY_EN})|combien|quel(?:le)?s? (?:{_QUANTITY_FR})|"
    rf"{_alternatives(QUANTITY_WORDS['en'])}|{_alternatives(QUANTITY_WORDS['fr'])})\b",
    re.IGNORECASE,
)

# -- question types: the first type whose cue matches wins ---------------------------------------------
QUESTION_CUES: list[tuple[QuestionType, str]] = [
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
    ("figure", rf"\b(?:how (?:many|much)|what (?:{_QUANTITY_EN}|{_FIGURE_EN})|at what (?:price|cost)|"
               rf"combien|quel(?:le)?s? (?:{_QUANTITY_FR}|{_FIGURE_FR}))\b"),
    ("list", r"^\s*(?:list\b|name (?:the|all)|which (?:countries|companies|vendors|platforms|locations|"
             r"obligations|rules)|what are the (?:main|key)? ?(?:countries|companies|vendors|obligations|options)|"
             r"quels sont les (?:pays|fournisseurs|éditeurs|principaux)|quelles sont les (?:obligations|"
             r"principales|entreprises)|citez)"),
    ("definition", r"^\s*(?:what (?:is|are) (?:a|an)\b|what does .{1,40} mean|define\b|qu'est-ce qu(?:e|'un|'une)\b|"
                   r"que (?:signifie|veut dire)|c'est quoi)"),
    ("yes_no", r"^\s*(?:is|are|does|do|did|was|were|has|have|had|can|could|will|would|est-ce que?|y a-t-il|"
               r"a-t-on|peut-on|[a-zà-ÿ]+-(?:t-)?(?:il|elle|ils|elles|on)\b)"),
]
QUESTION_TYPES = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in QUESTION_CUES]

# -- the kind of figure a clause asks for -------------------------------------------------------------
PERCENT_WORDS = re.compile(r"\b(?:share|percentage|proportion|per ?cent|part|pourcentage|taux|rate)s?\b|"
                           r"\bhow much of\b|\bwhat part of\b|\bquelle part\b",
                           re.IGNORECASE)
MONEY_WORDS = re.compile(
    r"\b(?:how much|cost|pric|charg|bill|factur|revenue|salar(?:y|ies)\b|wage|pay\b|valuation|fine[sd]?\b|budget|"
    r"invest|spend|export|earn|coût|cout|prix|chiffre d'affaires|salaire|rémunér|valorisation|amende|montant|"
    r"dépens|gagn|recette|dollars?|euros?)", re.IGNORECASE)
# Nouns of counting: the kind wanted once a clause asks for a figure ("how many" itself is ``COUNTING``).
COUNT_WORDS = re.compile(r"\b(?:jobs|employees|agents|people|"
                         r"workers|staff|emplois|salariés|personnes|postes|effectifs?|headcount)\b", re.IGNORECASE)
# "How many people ...", "combien de salariés ...": a count, whatever else the question mentions
# ("... has AI cost jobs?"), unless what is counted is money ("how many dollars").
COUNTING = re.compile(r"\b(?:how many|combien d[e'’]|number of|nombre d[e'’])\s*(?!(?:dollars|euros|money|argent)\b)",
                      re.IGNORECASE)
# "By how much did it raise output?", "de combien a-t-il augmenté ?": a change, in any unit.
CHANGE = re.compile(r"\b(?:by how much|de combien)\b", re.IGNORECASE)
# Where a compound look-up splits into clauses ("how many work there, and what is the minimum wage?").
CLAUSES = re.compile(r",?\s+(?:and|et)\s+(?=how|what|which|quel|combien)|[;?]\s+", re.IGNORECASE)
COMPARATIVE = re.compile(r"\b(?:less|more|cheaper|better|bigger|larger|faster|lower|higher|lequel|laquelle|moins|"
                         r"plus|mieux|meilleur|convient)\b|-er than", re.IGNORECASE)

# -- months: (name, abbreviations as written) --------------------------------------------------------
MONTHS: dict[Language, tuple[tuple[str, str], ...]] = {
    "en": (("January", "jan"), ("February", "feb"), ("March", "mar"), ("April", "apr"), ("May", "may"),
           ("June", "jun"), ("July", "jul"), ("August", "aug"), ("September", "sep"), ("October", "oct"),
           ("November", "nov"), ("December", "dec")),
    "fr": (("Janvier", "jan"), ("Février", "fév"), ("Mars", "mar"), ("Avril", "avr"), ("Mai", "mai"),
           ("Juin", "juin"), ("Juillet", "juil"), ("Août", "aoû"), ("Septembre", "sep"), ("Octobre", "oct"),
           ("Novembre", "nov"), ("Décembre", "déc")),
}
MONTH_NAMES = frozenset(fold(name) for months in MONTHS.values() for name, _ in months)
_ABBREVIATIONS = dict.fromkeys(form for months in MONTHS.values() for _, short in months
                               for form in (short, fold(short)))
# A month written right after a figure ("5 mai", "12 Dec."): the figure is a day of the month.
MONTH_AFTER = re.compile(rf"^\W{{0,2}}(?:{'|'.join(_ABBREVIATIONS)})", re.IGNORECASE)
# A date in folded text: a year, or a month by its name.
DATE = re.compile(rf"{ANY_YEAR}|\b(?:{'|'.join(fold(name) for months in MONTHS.values() for name, _ in months)})\b",
                  re.IGNORECASE)

# -- causes and speech (folded) ------------------------------------------------------------------------
CAUSE_WORDS: dict[Language, str] = {
    "en": r"because|due to|owing to|as a result|since|so that|in order to|reason|driven by|after|led to|leads? to|"
          r"caused|thanks to",
    "fr": r"car\b|parce que|en raison|a cause|grace a|afin de|pour (?:que|eviter)|raison|suite a|apres que|explique|"
          r"entraine",
}
CAUSE = re.compile(rf"\b(?:{'|'.join(CAUSE_WORDS.values())})", re.IGNORECASE)
SPEECH_VERBS: dict[Language, str] = {
    "en": r"said|says|told|added|explained|warned|noted|argued|wrote|stressed|admitted|insisted|acknowledged|"
          r"commented|declared|called|hailed|described|praised|urged|cautioned|predicted|according to",
    "fr": r"a (?:qualifie|salue|juge|prevenu|mis en garde|declare|dit|explique|ajoute|reconnu|souligne|affirme|"
          r"estime|averti|ecrit|confie|precise|indique)|qualifie|salue|selon|explique|ajoute|estime|affirme|"
          r"souligne|reconnait|d'apres",
}
SPEECH = f"(?:{'|'.join(SPEECH_VERBS.values())})"


# -- stems (folded) that make a sentence an argument for or against a move ------------------------------
def _stems(lines: tuple[tuple[Language, str], ...]) -> re.Pattern[str]:
    """One pattern of word starts, in the lines' order ("_" stands for a space)."""
    return re.compile(r"\b(?:" + "|".join(_alternatives(words) for _, words in lines) + ")", re.IGNORECASE)


FOR_STEMS: tuple[tuple[Language, str], ...] = (
    ("en", r"(?:lower|cheaper)_than benefit advantag saving save[sd]?\b cheaper lower_cost cost[s]?_(?:up_to_)?\d"),
    ("en", r"low(?:er)?_cost grow opportunit attractive skill talent qualified young multilingual"),
    ("en", r"english-speaking francophone time_zone nearshore invest incentive productiv faster quicker efficien"),
    ("en", r"improv boost gain creat\w*_(?:\d|jobs|emplois) new_jobs hire hiring reskill upskill resolve[sd]?_\d"),
    ("en", r"satisf succes resilien scal 24/7 round_the_clock"),
    ("fr", r"avantag econom moins_cher cout[s]?_(?:jusqu'a_)?(?:inferieur|plus_bas) croissance croit opportunite"),
    ("fr", r"attracti competence jeune qualifie multilingue fuseau investi incitat productivit plus_rapide efficac"),
    ("fr", r"amelior gagn embauch recrut formation reconver accroi rendement hausse augment"),
    ("en", r"progress increas higher_productiv rise\b rising profit record_(?:revenue|profit|results) benefici"
           r" strength"),
    ("fr", r"atout point_fort exempt exoner"),
    ("en", r"tax_(?:holiday|break) below_(?:the_)?(?:cost|wage)"),
)
AGAINST_STEMS: tuple[tuple[Language, str], ...] = (
    ("en", r"risk danger threat concern worr problem fail error mistake wrong hallucinat complain frustrat"),
    ("en", r"dissatisf angry backlash lawsuit liab fine[sd]?_ penalt sanction breach ban\b prohibit obligation"),
    ("en", r"must_(?:tell|inform|disclose) revers rehir backtrack u-turn cut\b layoff laid_off job_loss lose\b"),
    ("en", r"losing lost shortage attrition turnover lower_quality poor decline drop fell fall slump exposed"),
    ("en", r"exposure vulnerab replace insult swore prefer_(?:a_)?human not_(?:use|want) refus costly expensive"),
    ("en", r"higher_cost instabil unrest outage power_cut load.?shedding"),
    ("fr", r"risque menace inquiet probleme echec erreur plainte mecontent colere amende interdi recul revirement"),
    ("fr", r"reembauch suppression licenci perte perd penurie rotation depart"
           r" qualite_(?:moindre|inferieure|en_baisse)"),
    ("fr", r"baisse chute expos remplac prefer\w*_(?:un_)?humain cher\b couteu instabilit coupure"),
    # what is missing, limited or disputed ("lacks a strategy", "not the cheapest", "few large providers")
    ("en", r"lack lags? lagging weak limit insecur securit\w*_problem dispute challeng"),
    ("en", r"withdr backed_down apolog accus uncertain disappoint not_(?:cheapest|lowest) no_longer"),
    ("fr", r"manque retard faibl peu_de litige contest retir excus incertitud insecurit"),
    ("en", r"vigilance caution unaudit not_audit"),
    ("fr", r"non_audit"),
    ("en", r"dependen"),
    ("fr", r"dependan"),
    ("en", r"lock-in"),
    ("fr", r"verrouill absence"),
    ("en", r"nervous"),
    ("fr", r"nerveu volatil opaque"),
    ("en", r"no_public_(?:price|pricing)"),
    ("fr", r"sans_grille"),
)
FOR = _stems(FOR_STEMS)
AGAINST = _stems(AGAINST_STEMS)
