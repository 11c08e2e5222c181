"""What a number fact's unit noun may be written as, in English and French.

A fact ``{kind: number, value: 321, unit: leaders}`` is stated only by "321" followed within a
few words by one of the words of the ``leaders`` group ("321 customer service leaders",
"321 responsables du service client"). Edit a group to widen it; a fact may add words of its
own with ``synonyms: [...]``. A unit noun found in no group stands for itself.

Words are folded (lowercase, no accents); a trailing s or x is ignored when comparing.
"""

from __future__ import annotations

UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "people": ("people", "persons", "personnes", "individuals", "individus", "employees", "employes",
               "salaries", "workers", "travailleurs", "staff", "collaborateurs", "professionals",
               "professionnels", "staffers", "effectifs", "headcount"),
    "jobs": ("jobs", "emplois", "postes", "positions", "roles", "seats"),
    "leaders": ("leaders", "dirigeants", "responsables", "executives", "cadres", "managers",
                "decision-makers", "decideurs", "heads", "chefs", "respondents", "repondants"),
    "agents": ("agents", "advisers", "advisors", "conseillers", "teleconseillers", "representatives",
               "reps", "operators", "operateurs"),
    "specialists": ("specialists", "specialistes", "experts"),
    "clients": ("clients", "customers", "accounts"),
    "attendees": ("attendees", "participants", "delegates", "visitors", "visiteurs", "congressistes"),
    "agreements": ("agreements", "accords", "contracts", "contrats", "deals", "conventions",
                   "partnerships", "partenariats"),
    "months": ("months", "mois"),
    "years": ("years", "ans", "annees"),
    "weeks": ("weeks", "semaines"),
    "days": ("days", "jours"),
    "hours": ("hours", "heures"),
    "minutes": ("minutes",),
    "conversations": ("conversations", "chats", "interactions", "exchanges", "echanges", "contacts",
                      "discussions", "requests", "demandes"),
    "companies": ("companies", "entreprises", "firms", "organisations", "organizations", "societes",
                  "businesses", "groupes", "employers", "employeurs", "providers", "prestataires"),
    "countries": ("countries", "pays", "markets", "marches"),
    "centres": ("centres", "centers", "sites", "hubs", "facilities"),
    "languages": ("languages", "langues"),
    "calls": ("calls", "appels"),
}


def _plain(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def _index() -> dict[str, str]:
    table: dict[str, str] = {}
    for group, members in UNIT_GROUPS.items():
        for word in (group, *members):
            table.setdefault(_plain(word), group)
    return table


_GROUP_OF = _index()


def unit_words(noun: str, extra: tuple[str, ...] = ()) -> frozenset[str]:
    """The folded, singular words that state ``noun``: its group's words, or the noun itself."""
    key = _plain(noun)
    group = _GROUP_OF.get(key)
    members = UNIT_GROUPS[group] + (group,) if group else (noun,)
    return frozenset(_plain(w) for w in (*members, *extra))


def states_unit(words_after: tuple[str, ...], wanted: frozenset[str], window: int = 5) -> bool:
    """Whether one of the first ``window`` words after a figure is a word of the unit."""
    return any(_plain(word) in wanted for word in words_after[:window])
