"""An answer read as the user reads it: its claims (sentences and bullets, with their ``[n]``
markers) and the language it is written in.

Frame lines are kept apart: they need no marker. A frame line has no marker and is an
introduction or group label ending with ':' ("Here is what the corpus says:", "Risques :"), a
note ("Note: ..."), or a table line (a header or a separator row). Only the answerer's fixed
labels (``answer.layout.LABELS``, one list) and lines without a word are not read for facts; any
other line, however short, that states a required fact without a marker to a quote holding it
fails claim support like any other claim. A quote pasted into the answer
is one claim with its marker even when it runs over several lines (table rows, PDF text).

The language of an answer is detected from the answer's own words: its text with the cited
quotes and the markers taken out. The frame, notes and refusals are written in the question's
language while a quote may be in the other one (the article exists only in French); what the
user must be able to read is the frame. When ``detect_language`` cannot tell from those words
(a frame of labels: "Against:", "Figures to weigh:"), common English and French words decide;
when the answer has almost no words of its own (three or fewer), or they still tie, the whole
text decides; a tie there is "unknown".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..answer.layout import ANNOTATION, LABELS
from ..text import CITATION_MARKER, detect_language, marker_numbers, split_sentences, words

_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NOTE = re.compile(r"^\s*(?:note|attention|warning|avertissement)\s?:", re.IGNORECASE)
_MIN_CLAIM_WORDS = 3
_ENGLISH = frozenset(("the", "a", "an", "of", "to", "in", "on", "for", "with", "and", "or", "is", "are", "was", "it",
                      "by", "from", "at", "as", "not", "no", "against", "what", "here", "says", "weigh", "figures",
                      "risks", "speaks", "french", "english"))
_FRENCH = frozenset(("le", "la", "les", "un", "une", "des", "du", "de", "au", "aux", "et", "ou", "est", "sont",
                     "pour", "avec", "dans", "sur", "par", "ce", "que", "qui", "pas", "ne", "contre", "voici", "dit",
                     "chiffres", "prendre", "compte", "risques", "plaide", "en", "anglais", "francais"))


@dataclass(frozen=True)
class Claim:
    text: str  # without its markers
    markers: tuple[int, ...]
    frame: bool  # an introduction ending with ':', a note or a table line: needs no marker
    checked: bool = True  # read for required facts (every claim but the fixed labels and wordless lines)


def markers_in(text: str) -> tuple[int, ...]:
    return tuple(n for match in CITATION_MARKER.finditer(text) for n in marker_numbers(match))


def _pieces(line: str, restore: Callable[[str], str]) -> list[str]:
    """Sentences of one line; a piece with fewer than three words ("[1] (source in French)")
    belongs to the sentence before it."""
    pieces: list[str] = []
    for start, end in split_sentences(line):
        piece = line[start:end]
        if pieces and len(words(CITATION_MARKER.sub(" ", restore(piece)))) < _MIN_CLAIM_WORDS:
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def split_claims(answer: str, quotes: Iterable[str] = ()) -> list[Claim]:
    """The claims of ``answer``; ``quotes`` (the cited quotes) are kept whole where they appear."""
    held: list[str] = []
    for quote in sorted({q for q in quotes if q.strip()}, key=len, reverse=True):
        if quote in answer:
            answer = answer.replace(quote, f"Q\ue000{len(held)}\ue001")  # a capital: it may start a sentence
            held.append(quote)

    def restore(text: str) -> str:
        return re.sub("Q\ue000(\\d+)\ue001", lambda m: held[int(m.group(1))], text)

    claims = []
    for line in answer.splitlines():
        body = ANNOTATION.sub("", _BULLET.sub("", line)).strip()  # the answerer's date and language notes
        if not body:
            continue
        plain = CITATION_MARKER.sub("", restore(body)).strip()
        unmarked = not markers_in(body)
        table = unmarked and plain.startswith("|")
        frame_line = bool(_NOTE.match(body)) or table or (unmarked and plain.endswith(":"))
        checked = not unmarked or (plain not in LABELS and bool(words(plain)))
        for piece in _pieces(body, restore):
            text = re.sub(r"\s+([.,;:!?])", r"\1",
                          re.sub(r"\s+", " ", CITATION_MARKER.sub("", restore(piece)))).strip()
            if text:
                claims.append(Claim(text, markers_in(piece), frame_line, checked))
    return claims


def answer_language(answer: str, quotes: Iterable[str]) -> str:
    """'en', 'fr' or 'unknown', from the answer's own words (see the module docstring)."""
    own = answer
    for quote in sorted({q for q in quotes if q.strip()}, key=len, reverse=True):
        own = own.replace(quote, " ")
    own = CITATION_MARKER.sub(" ", own)
    bare = CITATION_MARKER.sub(" ", answer)
    for text in ((own, bare) if len(words(own)) > 3 else (bare,)):
        english, french = detect_language(text, default="en"), detect_language(text, default="fr")
        if english == french:
            return english
        tokens = words(text)
        common_english, common_french = sum(t in _ENGLISH for t in tokens), sum(t in _FRENCH for t in tokens)
        if common_english != common_french:
            return "en" if common_english > common_french else "fr"
    return "unknown"
