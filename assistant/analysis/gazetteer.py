"""Names a question can be about: countries and regions (English and French), and other proper names.

Countries come from a list, with their French names and the stems of their adjectives, so that
"Kenya", "kényan" and "Kenyan" are one place; companies, people and programmes are read from
capitalised words that do not open the sentence. Matching is accent- and case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from ..text import fold
from .lexicon import MONTH_NAMES

EntityKind = Literal["country", "region", "name"]

# name: (aliases and adjective stems, English and French, folded). Stems match word starts.
COUNTRIES: dict[str, tuple[str, ...]] = {
    "Philippines": ("philippines", "philippine", "filipino", "philippin"),
    "India": ("india", "inde", "indian", "indien"),
    "Kenya": ("kenya", "kenyan", "kenyan"),
    "Morocco": ("morocco", "maroc", "moroccan", "marocain"),
    "South Africa": ("south africa", "afrique du sud", "south african", "sud-africain", "sud africain"),
    "Egypt": ("egypt", "egypte", "egyptian", "egyptien"),
    "Ghana": ("ghana", "ghanaian", "ghaneen"),
    "Nigeria": ("nigeria", "nigerian", "nigerian"),
    "Rwanda": ("rwanda", "rwandan", "rwandais"),
    "Tunisia": ("tunisia", "tunisie", "tunisian", "tunisien"),
    "Senegal": ("senegal", "senegalese", "senegalais"),
    "Madagascar": ("madagascar", "malagasy", "malgache"),
    "Mauritius": ("mauritius", "maurice", "mauritian", "mauricien"),
    "Ethiopia": ("ethiopia", "ethiopie", "ethiopian", "ethiopien"),
    "Uganda": ("uganda", "ouganda", "ugandan", "ougandais"),
    "Tanzania": ("tanzania", "tanzanie", "tanzanian", "tanzanien"),
    "Ivory Coast": ("ivory coast", "cote d'ivoire", "ivorian", "ivoirien"),
    "Cameroon": ("cameroon", "cameroun", "cameroonian", "camerounais"),
    "Algeria": ("algeria", "algerie", "algerian", "algerien"),
    "Mexico": ("mexico", "mexique", "mexican", "mexicain"),
    "Colombia": ("colombia", "colombie", "colombian", "colombien"),
    "Costa Rica": ("costa rica", "costa rican", "costaricien"),
    "Brazil": ("brazil", "bresil", "brazilian", "bresilien"),
    "Argentina": ("argentina", "argentine", "argentinian"),
    "Chile": ("chile", "chili", "chilean", "chilien"),
    "Peru": ("peru", "perou", "peruvian", "peruvien"),
    "Guatemala": ("guatemala",),
    "Jamaica": ("jamaica", "jamaique", "jamaican"),
    "Dominican Republic": ("dominican republic", "republique dominicaine"),
    "Poland": ("poland", "pologne", "polish", "polonais"),
    "Portugal": ("portugal", "portuguese", "portugais"),
    "Romania": ("romania", "roumanie", "romanian", "roumain"),
    "Bulgaria": ("bulgaria", "bulgarie", "bulgarian", "bulgare"),
    "Spain": ("spain", "espagne", "spanish", "espagnol"),
    "Ireland": ("ireland", "irlande", "irish", "irlandais"),
    "Greece": ("greece", "grece", "greek", "grec"),
    "Czech Republic": ("czech", "tcheque", "czechia"),
    "Hungary": ("hungary", "hongrie", "hungarian", "hongrois"),
    "Ukraine": ("ukraine", "ukrainian", "ukrainien"),
    "Malaysia": ("malaysia", "malaisie", "malaysian", "malaisien"),
    "Vietnam": ("vietnam", "viet nam", "vietnamese", "vietnamien"),
    "Sri Lanka": ("sri lanka", "sri lankan", "sri-lankais"),
    "Indonesia": ("indonesia", "indonesie", "indonesian", "indonesien"),
    "Thailand": ("thailand", "thailande", "thai", "thailandais"),
    "China": ("china", "chine", "chinese", "chinois"),
    "Japan": ("japan", "japon", "japanese", "japonais"),
    "Pakistan": ("pakistan", "pakistani", "pakistanais"),
    "Bangladesh": ("bangladesh", "bangladeshi", "bangladais"),
    "Sweden": ("sweden", "suede", "swedish", "suedois"),
    "France": ("france", "french", "francais"),
    "Germany": ("germany", "allemagne", "german", "allemand"),
    "United Kingdom": ("united kingdom", "royaume-uni", "britain", "british", "britannique", "uk"),
    "United States": ("united states", "etats-unis", "u.s.", "usa", "american", "americain", "north american"),
    "Canada": ("canada", "canadian", "canadien"),
    "Australia": ("australia", "australie", "australian", "australien"),
}
REGIONS: dict[str, tuple[str, ...]] = {
    "Africa": ("africa", "afrique", "african", "africain"),
    "Asia": ("asia", "asie", "asian", "asiatique"),
    "Latin America": ("latin america", "amerique latine", "latin american", "latino-americain"),
    "Europe": ("europe", "european", "europeen"),
    "Middle East": ("middle east", "moyen-orient"),
}
# Words that take a capital in a question without naming anything: question words, days, months (``lexicon``).
_NOT_NAMES = frozenset(fold(w) for w in " ".join((
    "What Which Who Whom Why When Where How Is Are Do Does Did Should Could Would Will Can May Might Has Have Had",
    "Was Were According Compared Compare List Name Tell Give Show Explain Versus And Or The A An In On For Of To",
    "Our We I It Its This That These Those Their If So Then Also But Since After Before Taken Given While Although",
    "Once Now Today Besides Beyond Apart Assuming Suppose Let Please Any Some Most Many All Both Each Every",
    "Quel Quelle Quels Quelles Qui Que Quoi Pourquoi Quand Comment Combien Est Sont Faut Devrions Doit Selon",
    "Le La Les Un Une Des Du De Au Aux Et Ou Nous Notre Nos Il Elle Ils Elles Ce Cette Ces Dans Pour Par Sur",
    "Avec Entre Depuis Vers Peut Peuvent Y Si Alors Mais Puisque Comme Avant Après Lorsque Parmi Sachant",
    "Avantages Inconvénients Atouts Risques Dans Outre Chez Aujourd'hui Maintenant Bref",
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday AI IA CEO BPO CX FAQ Est-ce Qu'est-ce N'est-ce",
    "Faut-il Doit-on Peut-on Y-a-t-il Devrions-nous Pouvons-nous Devons-nous Sommes-nous Avons-nous",
)).split()) | MONTH_NAMES
_CAPITALISED = re.compile(r"[A-ZÀ-Ý][\w&'’.-]*(?:\s+(?:of|de|du|des|la|le|&)?\s*[A-ZÀ-Ý][\w&'’.-]*)*")


# Inside a name these stay ("AI Act", "Bank of Australia"); elsewhere they are ordinary words.
_GLUE = frozenset({"ai", "ia", "eu", "ue", "of", "de", "du", "des", "la", "le", "&"})


def _name_runs(words: list[str]) -> list[str]:
    """The names in a run of capitalised words: split at words that name nothing ("CEO", "What")."""
    runs: list[list[str]] = [[]]
    for word in words:
        word = _ELIDED.sub("", word)  # "D'après" is "après", "L'IBPAP" is "IBPAP"
        bare = fold(word.strip(".'’"))
        if (bare in _NOT_NAMES and bare not in _GLUE) or re.search(r"-(?:language|speaking|langue)s?$", bare):
            runs.append([])
        else:
            runs[-1].append(word)
    names = []
    for run in runs:
        while run and fold(run[0].strip(".'’")) in _GLUE | _NOT_NAMES and len(run) > 1 and \
                fold(run[0]) not in ("ai", "ia", "eu", "ue"):
            run = run[1:]
        # "IA de Salesforce", "AI Zendesk": the product's maker, not a name; "AI Act" stays a name
        if len(run) > 1 and fold(run[0]) in ("ai", "ia") and fold(run[1].strip(".'’")) not in _AI_NAMES:
            run = run[1:]
            while run and fold(run[0]) in _GLUE and len(run) > 1:
                run = run[1:]
        while run and fold(run[-1].strip(".'’")) in _GLUE:
            run = run[:-1]
        phrase = " ".join(run).strip(" .'’-")
        if phrase and fold(phrase) not in _NOT_NAMES:
            names.append(phrase)
    return names


_AI_NAMES = frozenset({"act", "office", "pact", "now", "index"})
_ELIDED = re.compile(r"^(?:[DdLlJjNnSs]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’](?=\w)")


@dataclass(frozen=True)
class Entity:
    name: str
    kind: EntityKind
    aliases: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Built once per entity: it is matched against every candidate sentence and every passage."""
        aliases = sorted(self.aliases, key=len, reverse=True)
        if self.kind == "name":
            return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(a) for a in aliases)})", re.IGNORECASE)
        # "in French", "en français": a language, not the country
        alternatives = "|".join(f"{_AFTER_IN if a in _LANGUAGES else ''}{re.escape(a)}" for a in aliases)
        return re.compile(rf"(?<![\w-])(?:{alternatives}){_INFLECTED}{_LANGUAGE_AFTER}", re.IGNORECASE)

    def named_in(self, text: str) -> bool:
        return bool(self.pattern.search(fold(text)))


# "philippins", "marocaines", "colombiennes", "Kenyans": the adjective agrees with its noun.
_INFLECTED = r"(?:n?e)?s?"
# "French-language support", "English speakers": a language, not the country.
_LANGUAGE_AFTER = r"(?!\w|[ -](?:language|speaking|speakers?|langue|parlant|speech))"
# Adjectives that also name a language, and the words before them that make them one ("in French").
_LANGUAGES = frozenset(fold(w) for w in [
    "french", "français", "english", "anglais", "spanish", "espagnol", "portuguese", "portugais", "german",
    "allemand", "polish", "polonais", "romanian", "roumain", "bulgarian", "bulgare", "hungarian", "hongrois",
    "czech", "tchèque", "greek", "grec", "swedish", "suédois", "chinese", "chinois", "japanese", "japonais",
    "thai", "vietnamese", "vietnamien", "malagasy", "malgache",
])
_AFTER_IN = r"(?<!\bin )(?<!\ben )(?<!\bto )(?<!speak )(?<!speaks )(?<!parle )(?<!parlent )(?<!spoken )"


def _places(table: dict[str, tuple[str, ...]], kind: EntityKind) -> list[Entity]:
    return [Entity(name, kind, tuple(fold(a) for a in aliases)) for name, aliases in table.items()]


PLACES = _places(COUNTRIES, "country") + _places(REGIONS, "region")


_US = re.compile(r"\bUS\b(?![$])")


def _opens_sentence(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \"“«(")
    return not before or before[-1] in ".?!"


def country_in(text: str) -> list[Entity]:
    """Countries and regions named in ``text``, in order of first mention."""
    folded = fold(text)
    found = [(m.start(), e) for e in PLACES if (m := e.pattern.search(folded))]
    if (us := _US.search(text)) and not any(e.name == "United States" for _, e in found):
        found.append((us.start(), next(e for e in PLACES if e.name == "United States")))
    return [e for _, e in sorted(found, key=lambda pair: pair[0])]


def named_entities(question: str) -> tuple[Entity, ...]:
    """Places first, then other proper names (companies, people, programmes) of the question."""
    places = country_in(question)
    place_words = {w for e in places for a in e.aliases for w in a.split()}
    names: list[Entity] = []
    for match in _CAPITALISED.finditer(question):
        words = match.group().split()
        if len(words) == 1 and _opens_sentence(question, match.start()):
            continue  # "Reveal ...", "Imagine ...": a capital that only opens the sentence
        for phrase in _name_runs(words):
            alias = fold(re.sub(r"['’]s$", "", phrase))
            if alias in ("us", "usa", "uk") or all(w in place_words or w in _GLUE or country_in(w)
                                                   for w in alias.split()):
                continue  # "the Philippines and India": places, already found
            if len(alias) >= 2 and all(alias != e.aliases[0] for e in names):
                names.append(Entity(phrase, "name", (alias,)))
    return (*places, *names)
