"""The LLM path: generate from the retrieved sources, check every citation, or fall back visibly.

The extractive answer is built first and kept as the fallback: when the model fails, answers
with no valid citation, or says the sources do not answer, the user still gets a grounded
answer (with a note saying so) or a plain refusal. With ``stream=True`` the model's tokens are
yielded as it writes them, as a draft; the validated answer replaces the draft at the end.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..analysis.question import QuestionAnalysis
from ..models import Answer
from ..safety import redact
from .citations import validate_answer
from .prompts import answer_messages, message_text
from .refusal import NOT_FOUND, refusal_text

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

log = logging.getLogger(__name__)
FALLBACK_NOTE = {
    "en": "Note: the language model did not answer ({reason}); this answer quotes the corpus directly.",
    "fr": "Note : le modèle de langage n'a pas répondu ({reason}) ; cette réponse cite directement le corpus.",
}


def _reply(model: BaseChatModel, question: str, answer: Answer, stream: bool,
           analysis: QuestionAnalysis | None) -> Iterator[str]:
    messages = answer_messages(question, answer.retrieved, answer.language, analysis)
    if not stream:
        yield message_text(model.invoke(messages))
        return
    for chunk in model.stream(messages):
        delta = message_text(chunk)
        if delta:
            yield delta


def generate(model: BaseChatModel, model_name: str, question: str, answer: Answer,
             secrets: list[str], stream: bool = False, analysis: QuestionAnalysis | None = None) -> Iterator[str]:
    """Yield the draft's text pieces (all at once unless ``stream``); then rewrite ``answer`` in place.

    ``answer`` arrives holding the extractive answer and the retrieved sources; it leaves holding
    the validated generated answer, or the extractive one with a note, or a refusal.
    """
    language = answer.language
    pieces: list[str] = []
    try:
        for piece in _reply(model, question, answer, stream, analysis):
            pieces.append(piece)
            yield redact(piece, secrets)
        # before validation, so no part of a secret is echoed in a warning about figures either
        reply = redact("".join(pieces), secrets)
    except Exception as error:
        reason = error.__class__.__name__
        log.warning("LLM failed, extractive fallback: %s", reason)
        answer.warnings.append(f"LLM unavailable ({reason}); extractive answer used.")
        answer.answer = f"{answer.answer}\n\n{FALLBACK_NOTE[language].format(reason=reason)}"
        return
    if reply.strip().startswith(NOT_FOUND):
        answer.answer, answer.citations, answer.refused = refusal_text(language), [], True
        answer.mode = model_name
        return
    validated = validate_answer(reply.strip(), answer.retrieved, language)
    if not validated.citations:
        answer.warnings.extend(f"Discarded generated answer: {w}" for w in validated.warnings)
        answer.warnings.append("The generated answer cited no valid source; extractive answer used.")
        answer.answer = f"{answer.answer}\n\n{FALLBACK_NOTE[language].format(reason='no valid citation')}"
        return
    answer.answer, answer.citations = validated.text, validated.citations
    answer.warnings.extend(validated.warnings)
    answer.mode = model_name
