"""Check a generated answer against its sources: markers must resolve, claims must be cited.

Each sentence is checked against the sources *it* cites: a figure it states must be in one of
them, and so must a country or region it names (a claim about the Philippines cited to a passage
on South Africa is flagged).

Works on plain strings and chunks, so it is tested without any language model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..analysis.gazetteer import country_in
from ..models import Citation, Language, ScoredChunk
from ..numbers import numbers_in
from ..text import CITATION_MARKER, content_tokens, marker_numbers, split_sentences

_UNSUPPORTED_NOTE = {
    "en": "Note: {figures} could not be found in the cited sources; check before relying on it.",
    "fr": "Attention : {figures} ne figure pas dans les sources citées ; à vérifier.",
}
_OFF_SOURCE_NOTE = {
    "en": "Note: no source cited for it names {places}; check before relying on it.",
    "fr": "Attention : aucune source citée à l'appui ne mentionne {places} ; à vérifier.",
}


@dataclass
class ValidatedAnswer:
    text: str
    citations: list[Citation]
    warnings: list[str] = field(default_factory=list)


def _best_quote(chunk_text: str, claim: str) -> tuple[int, str]:
    """The sentence of the chunk that shares most words and figures with the claim."""
    claim_tokens = set(content_tokens(claim))
    claim_numbers = numbers_in(claim)
    best: tuple[float, int, str] = (-1.0, 0, chunk_text)
    for start, end in split_sentences(chunk_text):
        sentence = chunk_text[start:end]
        overlap = len(claim_tokens & set(content_tokens(sentence)))
        overlap += 2 * len(claim_numbers & numbers_in(sentence))
        if overlap > best[0]:
            best = (overlap, start, sentence)
    return best[1], best[2]


def validate_answer(text: str, sources: list[ScoredChunk], language: Language) -> ValidatedAnswer:
    """Drop markers that point nowhere, renumber the rest, flag figures no cited source holds."""
    warnings: list[str] = []
    renumber: dict[int, int] = {}
    claims: dict[int, list[str]] = {}

    sentences = [text[s:e] for s, e in split_sentences(text)] or [text]
    repaired_sentences = []
    cited_by: list[tuple[str, set[int]]] = []  # each sentence's text and the sources it cites
    for sentence in sentences:
        cites: set[int] = set()
        cited_by.append((CITATION_MARKER.sub("", sentence), cites))

        def replace(match: re.Match[str], sentence: str = sentence, cites: set[int] = cites) -> str:
            kept = []
            for n in marker_numbers(match):
                if not 1 <= n <= len(sources):
                    warnings.append(f"Removed citation [{n}]: it points to no source.")
                    continue
                new = renumber.setdefault(n, len(renumber) + 1)
                cites.add(n)
                claims.setdefault(n, []).append(CITATION_MARKER.sub("", sentence))
                kept.append(f"[{new}]")
            return "".join(kept)

        repaired_sentences.append(CITATION_MARKER.sub(replace, sentence))
    repaired = " ".join(repaired_sentences)
    repaired = re.sub(r"\s+([.,;:!?])", r"\1", repaired).strip()

    citations = []
    for original, new in sorted(renumber.items(), key=lambda item: item[1]):
        chunk = sources[original - 1].chunk
        start, quote = _best_quote(chunk.text, " ".join(claims[original]))
        citations.append(Citation(
            n=new, chunk_id=chunk.id, doc_id=chunk.doc_id, title=chunk.title, source=chunk.source,
            locator=chunk.locator, quote=quote, quote_start=start, date=chunk.date,
            chunk_text=chunk.text,
        ))

    unsupported: set[str] = set()
    off_source: list[str] = []
    every_cited = set(renumber)
    for claim, cites in cited_by:
        own = [sources[n - 1].chunk for n in (cites or every_cited)]
        held = set().union(*(numbers_in(chunk.text) for chunk in own)) if own else set()
        unsupported |= numbers_in(claim) - held
        for place in country_in(claim):
            if own and not any(place.named_in(f"{chunk.title} {chunk.text}") for chunk in own) \
                    and place.name not in off_source:
                off_source.append(place.name)
    if unsupported:
        figures = ", ".join(sorted(unsupported))
        warnings.append(f"Unsupported figures (in no source their sentence cites): {figures}.")
        repaired = f"{repaired}\n\n{_UNSUPPORTED_NOTE[language].format(figures=figures)}"
    if off_source:
        places = ", ".join(off_source)
        warnings.append(f"Claims about {places} cite no source that names them.")
        repaired = f"{repaired}\n\n{_OFF_SOURCE_NOTE[language].format(places=places)}"
    return ValidatedAnswer(repaired, citations, warnings)
