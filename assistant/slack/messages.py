"""Every sentence the bot says on its own behalf, in English and French."""

from __future__ import annotations

from ..models import Language

_MESSAGES: dict[str, dict[Language, str]] = {
    "empty": {
        "en": "Ask me a question after the mention, for example: "
              "“What share of companies cut customer-service staff because of AI?”",
        "fr": "Posez-moi une question après la mention, par exemple : "
              "« Quelle part des entreprises a réduit ses effectifs à cause de l'IA ? »",
    },
    "rate_user": {
        "en": "You are asking faster than I can answer; please wait {seconds} seconds and ask again.",
        "fr": "Vous posez des questions plus vite que je ne peux répondre ; "
              "merci d'attendre {seconds} secondes avant de reposer la question.",
    },
    "rate_channel": {
        "en": "This channel is asking faster than I can answer; please wait {seconds} seconds and ask again.",
        "fr": "Ce canal pose des questions plus vite que je ne peux répondre ; "
              "merci d'attendre {seconds} secondes avant de reposer la question.",
    },
    "channel_not_allowed": {
        "en": "I do not answer in this channel; send me a direct message instead.",
        "fr": "Je ne réponds pas dans ce canal ; écrivez-moi plutôt en message direct.",
    },
    "dm_not_allowed": {
        "en": "I only answer in channels; mention me in one of them.",
        "fr": "Je ne réponds que dans les canaux ; mentionnez-moi dans l'un d'eux.",
    },
    "index_unavailable": {
        "en": "I cannot answer right now because the document index is not available; "
              "an administrator needs to rebuild it.",
        "fr": "Je ne peux pas répondre pour l'instant car l'index des documents n'est pas disponible ; "
              "un administrateur doit le reconstruire.",
    },
    "server_down": {
        "en": "I cannot reach {what} right now; please try again in a few minutes.",
        "fr": "Je ne peux pas joindre {what} pour l'instant ; merci de réessayer dans quelques minutes.",
    },
    "server_database": {"en": "my database", "fr": "ma base de données"},
    "server_redis": {"en": "the shared Redis server", "fr": "le serveur Redis partagé"},
    "server_chroma": {"en": "the document index", "fr": "l'index des documents"},
    "internal_error": {
        "en": "Sorry, something went wrong while answering your question (reference {ref}); "
              "please try again in a moment.",
        "fr": "Désolé, une erreur est survenue pendant la réponse à votre question (référence {ref}) ; "
              "merci de réessayer dans un instant.",
    },
    "refusal_note": {
        "en": "The documents I rely on do not answer this question, so I am not guessing.",
        "fr": "Les documents sur lesquels je m'appuie ne répondent pas à cette question : "
              "je préfère ne pas deviner.",
    },
    "sources": {"en": "Sources", "fr": "Sources"},
    "helpful": {"en": "Helpful", "fr": "Utile"},
    "not_helpful": {"en": "Not helpful", "fr": "Pas utile"},
    "show_sources": {"en": "Show sources", "fr": "Voir les sources"},
    "export_brief": {"en": "Export brief", "fr": "Exporter la note"},
    "brief_comment": {
        "en": "The strategy brief of this thread: {questions} questions, their answers and {sources} numbered sources.",
        "fr": "La note de synthèse de ce fil : {questions} questions, leurs réponses et {sources} sources numérotées.",
    },
    "brief_private": {
        "en": "The brief of your private answers is in our direct messages.",
        "fr": "La note de vos réponses privées est dans nos messages directs.",
    },
    "brief_missing": {
        "en": "This answer is not part of a saved conversation, so there is no brief to export.",
        "fr": "Cette réponse ne fait pas partie d'une conversation enregistrée : pas de note à exporter.",
    },
    "thanks_helpful": {
        "en": "Thanks, your feedback was recorded.",
        "fr": "Merci, votre avis a été enregistré.",
    },
    "thanks_not_helpful": {
        "en": "Thanks, your feedback was recorded; it will be used to improve the answers.",
        "fr": "Merci, votre avis a été enregistré ; il servira à améliorer les réponses.",
    },
    "already_rated": {
        "en": "Your feedback on this answer was already recorded.",
        "fr": "Votre avis sur cette réponse était déjà enregistré.",
    },
    "turn_missing": {
        "en": "I no longer have this answer on record, so I cannot attach your feedback or its sources.",
        "fr": "Je n'ai plus cette réponse en mémoire : impossible d'y rattacher votre avis ou ses sources.",
    },
    "no_sources": {
        "en": "This answer cites no source.",
        "fr": "Cette réponse ne cite aucune source.",
    },
    "truncated": {
        "en": "(answer shortened to fit in Slack)",
        "fr": "(réponse raccourcie pour tenir dans Slack)",
    },
}


def say(key: str, language: Language, **values: object) -> str:
    return _MESSAGES[key][language].format(**values)


def say_server_down(server: str, language: Language) -> str:
    """A shared server (``database``, ``redis``, ``chroma``) is down: one sentence for the person."""
    key = f"server_{server}"
    return say("server_down", language, what=say(key if key in _MESSAGES else "server_database", language))
