"""Accent and case folding, the two ways the package reads text: one ``str.translate`` table each.

Folding was the largest cost of reading a sentence (one NFKD call per character): each character
is now folded once per process, on first sight, and ASCII text is only lowercased. Dropping the
combining marks makes NFKD's reordering of them irrelevant, so folding character by character
gives exactly what folding the whole string did.
"""

from __future__ import annotations

import unicodedata


def _stripped(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


class _Table(dict[int, str]):
    """Filled on first sight of a character (``str.translate`` asks for each one)."""

    def __init__(self, same_length: bool) -> None:
        super().__init__()
        self.same_length = same_length

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = _stripped(ch)
        if self.same_length:  # one character for one character, the curly apostrophe straight
            folded = folded if len(folded) == 1 else ch
            folded = "'" if folded == "’" else folded
        self[code] = folded
        return folded


_FOLD = _Table(same_length=False)
_FOLD_IN_PLACE = _Table(same_length=True)


def fold(text: str) -> str:
    """Lowercase and strip accents so 'Effectifs' and 'effectifs' match across spellings."""
    lowered = text.lower()
    return lowered if lowered.isascii() else lowered.translate(_FOLD)


def fold_in_place(text: str) -> str:
    """As ``fold``, one character for one character (offsets stay valid), ’ read as '."""
    lowered = text.lower()
    return lowered if lowered.isascii() else lowered.translate(_FOLD_IN_PLACE)
