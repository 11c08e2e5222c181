"""HTML for the chat page: answers with clickable ``[n]`` markers, source cards, notes.

Every piece of user or document text is escaped here (``escape_text``, ``escape_inline``) and nowhere else.
The chat widget renders markdown, so the HTML is built on one line: a blank line would end
the HTML block and let markdown (or a raw tag) through.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from ..models import Answer, Citation, Language
from ..text import CITATION_MARKER, marker_numbers

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")

LABELS: dict[Language, dict[str, str]] = {
    "en": {"sources": "Sources", "refused": "Not in the corpus", "source": "Source",
           "where": "Where", "date": "Date", "link": "Link", "passage": "Cited passage",
           "open": "Show source"},
    "fr": {"sources": "Sources", "refused": "Hors du corpus", "source": "Source",
           "where": "Emplacement", "date": "Date", "link": "Lien", "passage": "Passage cité",
           "open": "Voir la source"},
}

PANEL_EMPTY = (
    '<aside class="source-panel" aria-live="polite">'
    '<div class="panel-head"><span class="panel-title">Source</span>'
    '<button type="button" class="panel-close" title="Close">×</button></div>'
    '<div class="panel-body"><p class="panel-empty">Click a numbered marker such as '
    '<span class="cite-sample">[1]</span> in an answer to read the cited passage here, '
    "with the quoted sentence highlighted.</p></div></aside>"
)


def escape_inline(text: str) -> str:
    """Escaped text on one line: a raw line break, even a lone carriage return, could end the HTML block."""
    return html.escape(_LINE_BREAK.sub(" ", text))


def escape_text(text: str) -> str:
    """Escaped text with line breaks as ``<br>``: no raw newline may reach the markdown renderer."""
    return html.escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def render_question(question: str) -> str:
    return f'<div class="question">{escape_text(question)}</div>'


def render_pending(language: Language) -> str:
    label = "Recherche dans le corpus…" if language == "fr" else "Searching the corpus…"
    return f'<div class="pending"><span class="dot"></span>{label}</div>'


def render_error(message: str) -> str:
    return f'<div class="error-note" role="alert">{escape_text(message)}</div>'


def render_draft(text: str) -> str:
    """The language model's text while it writes: no markers resolved yet, no sources."""
    return f'<div class="answer streaming">{_body(text, set())}</div>'


def render_answer(answer: Answer) -> str:
    """The final answer bubble, with its source list and citation cards."""
    body = _body(answer.answer, {c.n for c in answer.citations})
    labels = LABELS[answer.language]
    if answer.refused:
        return (f'<div class="answer done refused"><div class="refusal" role="note">'
                f'<span class="refusal-label">{labels["refused"]}</span>{body}</div></div>')
    parts = [f'<div class="answer done">{body}']
    if answer.citations:
        parts.append(_source_list(answer.citations, answer.language))
        parts.append('<div class="cards" hidden>')
        parts.extend(render_card(c, answer.language) for c in answer.citations)
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _body(text: str, numbers: set[int]) -> str:
    """Paragraphs, ``- `` bullet lists and ``| a | b |`` tables, with known ``[n]`` markers as buttons.

    A line ending with a colon and followed by a list is a group label ("For:", "Risques :").
    """
    out: list[str] = []
    open_tag = ""  # "ul" or "table" while one is open
    lines = [line.strip() for line in _LINE_BREAK.split(text) if line.strip()]
    for position, stripped in enumerate(lines):
        kind = "ul" if stripped.startswith("- ") else "table" if _TABLE_LINE.match(stripped) else ""
        if kind != open_tag:
            if open_tag:
                out.append(f"</{open_tag}>")
            if kind:
                out.append('<table class="compare">' if kind == "table" else "<ul>")
            open_tag = kind
        if kind == "table":
            if not _TABLE_RULE.match(stripped):
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                tag = "th" if out[-1] == '<table class="compare">' else "td"
                out.append("<tr>" + "".join(f"<{tag}>{_markers(html.escape(c), numbers)}</{tag}>"
                                            for c in cells) + "</tr>")
            continue
        content = _markers(html.escape(stripped[2:] if kind == "ul" else stripped), numbers)
        following = lines[position + 1] if position + 1 < len(lines) else ""
        if kind == "ul":
            out.append(f"<li>{content}</li>")
        elif stripped.endswith(":") and following.startswith("- ") and len(stripped) <= 40:
            out.append(f'<p class="group-label">{content}</p>')
        else:
            out.append(f"<p>{content}</p>")
    if open_tag:
        out.append(f"</{open_tag}>")
    return "".join(out)


_TABLE_LINE = re.compile(r"^\|.*\|$")
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-{2,}:?\s*\|)+$")


def _markers(escaped: str, numbers: set[int]) -> str:
    def button(match: re.Match[str]) -> str:
        cited = marker_numbers(match)
        n = cited[0]
        if len(cited) != 1 or n not in numbers:  # a group "[1, 2]" stays as written
            return match.group(0)
        return f'<button type="button" class="cite cite-{n}" title="Source {n}">[{n}]</button>'

    return CITATION_MARKER.sub(button, escaped)


def _source_list(citations: list[Citation], language: Language) -> str:
    items = "".join(
        f'<li><button type="button" class="cite cite-{c.n}" title="{LABELS[language]["open"]}">'
        f'[{c.n}]</button> <span class="source-title">{escape_inline(c.title)}</span>'
        f' <span class="source-where">{escape_inline(short_locator(c))}</span></li>'
        for c in citations
    )
    return (f'<div class="sources"><div class="sources-title">{LABELS[language]["sources"]}</div>'
            f"<ol>{items}</ol></div>")


def short_locator(citation: Citation) -> str:
    """The locator without the document title it usually starts with (shown right beside it)."""
    prefix = f"{citation.title} > "
    return citation.locator[len(prefix):] if citation.locator.startswith(prefix) else citation.locator


def render_card(citation: Citation, language: Language) -> str:
    """The source panel's content for one citation; hidden in the answer until a marker is clicked."""
    labels = LABELS[language]
    return (
        f'<section class="card card-{citation.n}">'
        f'<p class="card-kicker">{labels["source"]} [{citation.n}]</p>'
        f'<h3 class="card-title">{escape_inline(citation.title)}</h3>'
        f'<dl class="card-meta">'
        f'<dt>{labels["where"]}</dt><dd class="card-locator">{escape_inline(citation.locator)}</dd>'
        f'<dt>{labels["date"]}</dt><dd class="card-date">{escape_inline(citation.date or "—")}</dd>'
        f'<dt>{labels["link"]}</dt><dd class="card-source">{source_links(citation.source)}</dd>'
        f"</dl>"
        f'<p class="card-passage-label">{labels["passage"]}</p>'
        f'<div class="card-passage">{highlight_passage(citation)}</div>'
        f"</section>"
    )


def source_links(source: str) -> str:
    """``;``-separated sources; only http(s) URLs become links (a document's front matter is untrusted)."""
    parts = [p.strip() for p in source.split(";") if p.strip()]
    if not parts:
        return "—"
    rendered = []
    for part in parts:
        url = urlsplit(part)
        if url.scheme in {"http", "https"} and url.netloc:
            rendered.append(f'<a href="{escape_inline(part)}" target="_blank" '
                            f'rel="noopener noreferrer">{escape_inline(url.netloc)}</a>')
        else:
            rendered.append(f"<span>{escape_inline(part)}</span>")
    return "".join(rendered)


def quote_span(citation: Citation) -> tuple[int, int] | None:
    """Where the quote sits in the passage: at ``quote_start`` when it matches, else searched."""
    text, quote = citation.chunk_text, citation.quote
    if not quote:
        return None
    start = citation.quote_start
    if text[start : start + len(quote)] != quote:
        start = text.find(quote)
        if start < 0:
            return None
    return start, start + len(quote)


def highlight_passage(citation: Citation) -> str:
    """The cited passage paragraph by paragraph, the quoted sentence inside ``<mark>``."""
    text = citation.chunk_text
    span = quote_span(citation)
    if not text:
        return f"<p><mark>{escape_text(citation.quote)}</mark></p>"
    if span is None:  # the quote is not a span of the passage: show it, then the passage
        return f"<p><mark>{escape_text(citation.quote)}</mark></p>" + _paragraphs(text, None)
    return _paragraphs(text, span)


def _paragraphs(text: str, span: tuple[int, int] | None) -> str:
    out = []
    position = 0
    bounds = [*((m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)), (len(text), len(text))]
    for break_start, break_end in bounds:
        start, end = position, break_start
        position = break_end
        if start >= end:
            continue
        if span and span[0] < end and span[1] > start:
            a, b = max(span[0], start), min(span[1], end)
            inner = (escape_text(text[start:a]) + f"<mark>{escape_text(text[a:b])}</mark>"
                     + escape_text(text[b:end]))
            out.append(f'<p class="quoted">{inner}</p>')
        else:
            out.append(f"<p>{escape_text(text[start:end])}</p>")
    return "".join(out)
