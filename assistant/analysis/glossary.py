"""Words of the domain in English and French, so that BM25 finds a French passage for an English
question and the reverse (the dense model reads both languages; word matching does not).

Each line is one meaning: a question word on the line brings the others into the lexical query.
The table is about outsourcing, customer service and their rules; names need no translation.
"""

from __future__ import annotations

from functools import cache, lru_cache

from ..text import content_tokens

_MEANINGS = """
job jobs emploi emplois poste postes
worker workers employee employees staff headcount workforce salarié salariés effectif effectifs
worker workers staff personnel main-d'œuvre travailleurs
agent agents advisor conseiller conseillers téléconseiller
revenue revenues turnover sales chiffre d'affaires recettes ventes
export exports exportation exportations
outsourcing outsourced outsourcer externalisation externalisé sous-traitance prestataire
offshoring offshore délocalisation
call centre call center centres d'appels centre d'appels
contact centre contact center centre de contact centres de contact
customer service service client relation client
customer customers client clients
cost costs coût coûts
price prices pricing tarif tarifs prix tarification
salary salaries wage wages pay earn rémunération salaire salaires
fine fines penalty penalties sanction sanctions amende amendes
law laws rule rules regulation regulations loi lois règle règles règlement réglementation
obligation obligations duty duties obligation obligations
transparency disclose disclosure transparence informer
deadline apply applies application échéance appliquer s'applique
growth grow croissance croître progression
share proportion percentage part proportion pourcentage
survey surveyed poll enquête sondage interrogé
leader leaders executive executives manager managers responsable responsables dirigeant dirigeants
company companies firm firms business entreprise entreprises société sociétés
bank banque
union syndicat
court tribunal ruling judgment décision jugement
chatbot chatbots bot bots robot robots assistant virtuel agent conversationnel
automation automate automated automatisation automatiser automatisé
human humans humain humains person personne
cut cuts reduce reduction layoffs suppression suppressions réduction réduire licenciements
hire hiring rehire recruit recruitment embauche embaucher réembaucher recrutement recruter
language languages langue langues multilingual multilingue
time zone time zones fuseau horaire fuseaux horaires
invest investment investments investissement investissements investir
quality qualité
satisfaction satisfied satisfaction satisfait
training reskilling upskilling formation reconversion
attrition churn rotation départs
refund refunds remboursement remboursements
resolution resolutions resolved résolution résolutions résolu
contract contracts contrat contrats
provider providers vendor vendors supplier fournisseur fournisseurs éditeur éditeurs
data données
transfer transfers transfert transferts
risk risks risque risques
advantage advantages benefit benefits avantage avantages bénéfice
drawback drawbacks disadvantage inconvénient inconvénients
government gouvernement state état
country countries pays
billion milliard milliards
year years annual an ans année années annuel
"""


@cache
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for line in _MEANINGS.strip().splitlines():
        stems = set(content_tokens(line))
        for stem in stems:
            table.setdefault(stem, set()).update(stems)
    return {stem: frozenset(others) for stem, others in table.items()}


TRANSLATION_WEIGHT = 0.5  # a word of the same meaning counts half as much as the question's own


def translations(query: str) -> dict[str, float]:
    """Stems of the other words with the meaning of each domain word of the query, at half weight."""
    return dict(_translations(query))


@lru_cache(maxsize=1024)
def _translations(query: str) -> tuple[tuple[str, float], ...]:
    """One ask translates the same query once per search (two to five searches): kept, immutable."""
    table = _table()
    tokens = set(content_tokens(query))
    # sorted: the weights are summed in this order, and a set's order follows the hash seed
    return tuple({other: TRANSLATION_WEIGHT for token in sorted(tokens) for other in sorted(table.get(token, ()))
                  if other not in tokens}.items())
