"""Question analysis in English and French: type, entities, asserted figures, parts."""

from __future__ import annotations

import pytest

from assistant.analysis.question import analyse, analyse_turn


@pytest.mark.parametrize(("question", "kind"), [
    ("Should we move our customer service to Africa? What are the pros and cons?", "pros_cons"),
    ("What are the advantages and drawbacks of offshoring customer service to Kenya?", "pros_cons"),
    ("Est-ce une bonne idée de remplacer nos agents par des agents IA ?", "should_we"),
    ("What are the main risks of replacing human agents with AI agents?", "risks"),
    ("Is it risky to rely on one big call-centre group?", "risks"),
    ("Compare agent salaries in the Philippines and India", "comparison"),
    ("Who charges less per resolution: Zendesk or Intercom?", "comparison"),
    ("Which analyst said that cuts happen through attrition?", "who"),
    ("Qui dirige l'association des centres de contact ?", "who"),
    ("When do the AI Act's transparency duties apply?", "date"),
    ("À partir de quand l'AI Act s'applique-t-il aux chatbots ?", "date"),
    ("Why did Klarna hire people again?", "why"),
    ("How many call-centre jobs does Tunisia have?", "figure"),
    ("What is the Philippines' outsourcing export revenue?", "figure"),
    ("Combien CCI Global investit-il en Afrique ?", "figure"),
])
def test_question_types(question: str, kind: str) -> None:
    assert analyse(question).kind == kind


def test_entities_are_places_and_names_not_question_words() -> None:
    analysis = analyse("Since most IBPAP members cut staff, is Manila or Cebu still a safe bet for Klarna's CEO?")
    assert [e.name for e in analysis.entities] == ["IBPAP", "Manila", "Cebu", "Klarna's"]
    french = analyse("Devrions-nous retenir Sierra ? Quels atouts au Portugal et en Inde ?")
    assert [(e.name, e.kind) for e in french.entities] == [("Portugal", "country"), ("India", "country"),
                                                            ("Sierra", "name")]


def test_a_language_is_not_a_country() -> None:
    assert [e.name for e in analyse("Is Kenya or Morocco cheaper for French-language support?").entities] == \
        ["Kenya", "Morocco"]


def test_asserted_figures_and_the_kind_of_figure_wanted() -> None:
    analysis = analyse("Why did Gartner say that 60% of firms cut service staff because of AI?")
    assert [(f.value, f.kind) for f in analysis.asserted] == [(60.0, "percent")]
    assert analyse("What share of companies cut staff because of AI?").wants == "percent"
    assert analyse("How much does Intercom charge per resolution?").wants == "money"
    assert analyse("How many people work in Kenya's BPO sector?").wants == "count"


def test_a_follow_up_is_about_what_it_names() -> None:
    standalone = "How many people work in outsourcing in South Africa? And in Kenya?"
    analysis = analyse_turn("And in Kenya?", standalone, "en")
    assert [e.name for e in analysis.entities] == ["Kenya"] and analysis.kind == "figure"


def test_the_figure_wanted_follows_the_question_word_not_every_noun() -> None:
    # "salariés" is not a salary, and "cost jobs" asks for a count of jobs
    assert analyse("Combien de salariés travaillent dans les centres d'appels tunisiens ?").wants == "count"
    assert analyse("How many jobs has automation cost Kenyan call centres?").wants == "count"
    assert analyse("By how much did the chatbot cut handling time?").wants == "any"
    # two clauses asking for two kinds: any figure will do for the whole question
    assert analyse("How many agents work in Ghana, and what is their monthly salary?").wants == "any"
    # a noun of counting alone does not turn an open question into a look-up
    assert analyse("Quelle offre d'agents IA Sierra a-t-il présentée ?").kind == "open"


def test_who_with_a_qualifier_and_names_without_their_ai_prefix() -> None:
    assert analyse("Which Forrester analyst warned about AI-only service desks?").kind == "who"
    assert [e.name for e in analyse("Que valent les agents IA de Genesys ?").entities] == ["Genesys"]
    assert [e.name for e in analyse("What does the AI Act require?").entities] == ["AI Act"]


def test_a_language_after_in_or_en_is_not_a_country_but_agreeing_adjectives_are() -> None:
    assert analyse("Does the summary tool work for a centre that answers in French?").entities == ()
    assert analyse("L'outil fonctionne-t-il pour un centre qui répond en anglais ?").entities == ()
    assert [e.name for e in analyse("Qui représente les prestataires marocains ?").entities] == ["Morocco"]
    assert [e.name for e in analyse("What do Kenyans earn in call centres?").entities] == ["Kenya"]
    assert [e.name for e in analyse("Are French call centres moving to Senegal?").entities] == ["France", "Senegal"]
