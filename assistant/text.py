"""Language-aware text primitives: normalisation, tokens, sentences, language detection."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .folding import fold
from .models import Language
from .numbers import format_number, numbers_in

__all__ = ["CITATION_MARKER", "content_tokens", "detect_language", "fold", "format_number", "marker_numbers",
           "numbers_in", "split_sentences", "stem", "words"]

# A citation marker in an answer: "[2]", or a group "[1, 3]" as a chat model may write one.
CITATION_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def marker_numbers(match: re.Match[str]) -> tuple[int, ...]:
    """The source numbers of a ``CITATION_MARKER`` match: (2,) for "[2]", (1, 3) for "[1, 3]"."""
    return tuple(int(n) for n in match.group(1).split(","))


def _words_of(text: str) -> list[str]:
    return text.split()


_EN_STOP = frozenset(_words_of(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    according did said says say tell told give much many also what's which's does do per"""
))
_FR_STOP = frozenset(_words_of(
    """a afin ai aie aient ainsi alors au aucun aussi autre aux avec avoir avons ayant c ca ce ceci
    cela celle celles celui ces cet cette chaque chez comme comment d dans de des donc dont du elle
    elles en encore est et etaient etait ete etre eu eux fait faut il ils j je l la le les leur
    leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou par pas pendant peu
    peut plus pour pourquoi quand que quel quelle quelles quels qui quoi s sa sans se selon ses si
    son sont sous sur t ta te tes toi ton tous tout toute toutes tres tu un une vos votre vous y
    qu est-ce dit disent combien quelle part"""
))
_STOP = _EN_STOP | _FR_STOP

_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+", re.UNICODE)
_FR_MARKERS = frozenset(_words_of(
    """le la les des du une est et que qui pour dans sur avec pas plus par ce cette ces sont ont
    selon quelle quel quels quelles combien pourquoi comment leurs aux entreprises effectifs
    au ou l d qu c n"""
))
_EN_MARKERS = frozenset(_words_of(
    """the of and is are what which how why who for with that this from was were did does have
    has share according many much companies staff"""
))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text.replace("’", "'")))


def stem(word: str) -> str:
    """A light suffix stripper for English and French: enough to match plural and gender forms."""
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix in ("ements", "ement", "ations", "ation", "ings", "ing", "ies", "es", "s", "e", "x"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_tokens(text: str) -> list[str]:
    """Stemmed tokens without stop words: the unit of lexical matching."""
    return [stem(w) for w in words(text) if w not in _STOP and (len(w) > 1 or w.isdigit())]


def detect_language(text: str, default: Language = "en") -> Language:
    tokens = words(text)
    french = sum(t in _FR_MARKERS for t in tokens)
    english = sum(t in _EN_MARKERS for t in tokens)
    if re.search(r"[éèêàçùâîôû]", text.lower()):
        french += 1
    if french == english:
        return default
    return "fr" if french > english else "en"


# A sentence ends at . ! ? … followed by space and an upper-case letter, digit, quote or
# bracket; abbreviations and decimal numbers ("1.16", "U.S.") must not split.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[\"“«(\[]?[A-ZÀ-Ý0-9¿¡])")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "etc.", "m.", "mr.", "dr.", "st.", "vs.", "u.s.", "p.", "no.", "cf."})


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) offsets of sentences in ``text``; spans are exact substrings.

    A paragraph break always ends a sentence: a title, a "Source:" line or a list item is a
    segment of its own even without a full stop.
    """
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield from _sentences(text, start, match.start())
        start = match.end()
    yield from _sentences(text, start, len(text))


def _sentences(whole: str, offset: int, stop: int) -> Iterator[tuple[int, int]]:
    text = whole[offset:stop]
    for begin, end in _sentence_spans(text):
        yield offset + begin, offset + end


def _sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].rstrip()
        last_word = candidate.rsplit(None, 1)[-1].lower() if candidate.strip() else ""
        if last_word in _ABBREVIATIONS:
            continue
        if candidate.strip():
            begin = start + (len(text[start:]) - len(text[start:].lstrip()))
            yield begin, start + len(text[start : match.start()].rstrip())
        start = match.end()
    tail = text[start:]
    if tail.strip():
        begin = start + (len(tail) - len(tail.lstrip()))
        yield begin, start + len(tail.rstrip())
