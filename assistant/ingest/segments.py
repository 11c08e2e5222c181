"""Lines of a text into segments: the pieces of document structure that must never be glued.

Exported articles, press releases and memos put a headline, a byline, a "Source:" line, list
items and table rows on lines of their own. Joining every line of a paragraph would make one
"sentence" of a title, a URL and the first sentence of the text, so each of those becomes a
segment of its own; ordinary wrapped lines are joined back into their sentence.
"""

from __future__ import annotations

import re

_LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪◦–]|\d{1,2}[.)])\s+(?=\S)")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# "Source: ...", "By Jane Doe", "Date: ...", memo headers, interview turns, "Why it matters: ...".
_FIELD = re.compile(
    r"^\s*(?:(?:sources?|by|par|auteur|author|date|dateline|published|publié(?:e)? le|updated|mis à jour|"
    r"to|from|cc|subject|re|à|de|objet|contact|media contact|contact presse|photo|credit|crédit|tags?|"
    r"q|a|question|réponse|answer|why it matters|pourquoi c'est important|the bottom line|key takeaways?|"
    r"en bref|à retenir|note)\s*[:—–-]\s|by\s+[A-ZÀ-Ý][\w.'’-]+(?:\s+[A-ZÀ-Ý][\w.'’-]+){0,3}\s*$|"
    r"par\s+[A-ZÀ-Ý][\w.'’-]+(?:\s+[A-ZÀ-Ý][\w.'’-]+){0,3}\s*$)",
    re.IGNORECASE,
)
_SHORT_FIELD = re.compile(
    r"^\s*(?:(?:sources?|by|par|auteur|author|date|dateline|published|publié(?:e)? le|updated|mis à jour|to|from|"
    r"cc|subject|re|à|de|objet|contact|media contact|contact presse|photo|credit|crédit|tags?)\s*[:—–-]\s|"
    r"(?:by|par)\s+[A-ZÀ-Ý])",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…:;»\"”)]\s*$")
_TITLE_MAX_WORDS = 14
_WRAPPED_LINES = 4
_SHORT_LINE = 0.6


def _is_title_like(line: str, following: str | None) -> bool:
    """A short line with no closing punctuation, before a line that starts a new sentence."""
    words = line.split()
    return (
        0 < len(words) <= _TITLE_MAX_WORDS
        and not _SENTENCE_END.search(line)
        and not line.rstrip().endswith((",", "-", "–"))
        and following is not None
        and following.lstrip()[:1].isupper()
    )


def table_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _ends_heading(line: str, following: str | None, width: int) -> bool:
    return bool(width) and len(line) < _SHORT_LINE * width and _is_title_like(line, following)


def _continues(current: list[str], line: str) -> bool:
    """A wrapped line: the segment so far has not ended its sentence, or the line starts in lower case."""
    return bool(current) and (not _SENTENCE_END.search(current[-1]) or line[:1].islower())


def segments(lines: list[str]) -> list[str]:
    """The segments of one paragraph's lines: structure lines alone, wrapped lines joined."""
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join(current).strip()
        if text:
            out.append(text)
        current.clear()

    stripped = [line.strip() for line in lines if line.strip()]
    # In hard-wrapped text (a PDF page) a line much shorter than the others that does not end
    # a sentence ends a title or a heading, even when the title itself wrapped.
    width = max((len(line) for line in stripped), default=0) if len(stripped) >= _WRAPPED_LINES else 0
    for position, line in enumerate(stripped):
        following = stripped[position + 1] if position + 1 < len(stripped) else None
        if _TABLE_RULE.match(line) and "-" in line:
            continue
        if _TABLE_ROW.match(line):
            flush()
            out.append(" | ".join(cell for cell in table_cells(line) if cell))
            continue
        item, field = _LIST_ITEM.match(line), _FIELD.match(line)
        if item or field:
            flush()
            current.append(line[item.end():] if item else line)
            if (field and _SHORT_FIELD.match(line)) or _ends_heading(line, following, width):
                flush()  # a byline, a date, a URL, a numbered heading: never the start of a wrapped sentence
            continue
        if current and not _continues(current, line):
            flush()
        if not current and _is_title_like(line, following):
            out.append(line)
            continue
        current.append(line)
        if _ends_heading(line, following, width):
            flush()
    flush()
    return out
