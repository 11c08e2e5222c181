"""Recognise text in documents that addresses the assistant instead of informing the reader.

Such sentences are never quoted as evidence and are masked before sources reach an LLM:
a document is data, and a sentence that gives the assistant orders is not a fact.
Answers pass through ``redact`` last, so no configured secret or token-shaped string is shown.
"""

from __future__ import annotations

import re

from .settings import Settings
from .text import fold, split_sentences

_INSTRUCTION_PATTERNS = [
    r"\bignore (all |any |the |your |every )*(previous |prior |above |earlier )*(instructions|rules|prompts?)\b",
    r"\bdisregard (all |any |the |your )*(previous |prior |above )*(instructions|rules)\b",
    r"\b(system|developer) prompt\b",
    r"\bdeveloper mode\b|\bjailbreak\b|\bdo anything now\b",
    r"\byou are now (in|a|an|the)\b|\bpretend to be\b",
    r"\b(reveal|print|show|leak|output|display) (me )?(your|the) (system|hidden|secret|api|instructions|settings"
    r"|configuration|prompt|keys?|tokens?|password)",
    r"\b(api[ _-]?key|openai_api_key|secret key|access token|bot token|signing secret)\b",
    r"</?\s*(source|sources|system|instructions?)\b[^>]*>",
    r"\bignore[sz]? (toutes? |les |tes |vos )*(instructions|consignes|regles)\b",
    r"\b(oublie|oubliez) (toutes? |les |tes |vos )*(instructions|consignes|regles)\b",
    r"\b(revele|affiche|montre)[sz]? (moi )?(ton|ta|tes|votre|vos|le|la|les) (prompt|consignes|instructions"
    r"|cle|cles|jetons?|secrets?|mots? de passe)",
    r"\bmode developpeur\b|\bprompt systeme\b",
]
_INSTRUCTIONS = re.compile("|".join(f"(?:{p})" for p in _INSTRUCTION_PATTERNS), re.IGNORECASE)


def only_instructions(text: str) -> bool:
    """Every sentence of the passage addresses the assistant (a planted document, say)."""
    sentences = [text[a:b] for a, b in split_sentences(text)]
    return bool(sentences) and all(looks_like_injection(s) or len(s.split()) <= 3 for s in sentences)


def looks_like_injection(text: str) -> bool:
    return bool(_INSTRUCTIONS.search(fold(text)))


REDACTED = "[redacted]"
# OpenAI-style keys and Slack tokens, configured here or not: an answer has no reason to hold one.
_TOKEN_SHAPES = re.compile(r"\b(?:sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,})")
_SHORTEST_SECRET = 6  # shorter values ("pw") would blank ordinary words; they are too weak to matter


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold: keys, tokens, the signing secret and the web passwords."""
    kept = {value.strip() for value in settings.secrets() if len(value.strip()) >= _SHORTEST_SECRET}
    return sorted(kept, key=len, reverse=True)  # longest first, so a secret inside another goes whole


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return _TOKEN_SHAPES.sub(REDACTED, text)
