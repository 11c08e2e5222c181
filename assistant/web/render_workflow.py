"""HTML of the manager's workflow: a document of the corpus tab, the last ingest, the gap report.

As in ``render``, every piece of user or document text is escaped here.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..storage.conversations import CitingTurn, ConversationSummary
from .render import escape_inline, escape_text, source_links

if TYPE_CHECKING:
    from ..workflow.corpus import DocumentView, LastIngest, WithdrawnDocument
    from ..workflow.gaps import GapReport

MAX_CITING_SHOWN = 20


def day(timestamp: float) -> str:
    return f"{datetime.fromtimestamp(timestamp, UTC):%Y-%m-%d %H:%M}"


def conversation_label(summary: ConversationSummary) -> str:
    questions = f"{summary.turns} question" + ("s" if summary.turns != 1 else "")
    return f"{summary.title} · {questions} · {datetime.fromtimestamp(summary.updated, UTC):%d %b}"


def domains(source: str) -> str:
    """The sources of a document as short host names, for the corpus table."""
    from urllib.parse import urlsplit

    hosts = list(dict.fromkeys((urlsplit(part.strip()).netloc or part.strip()).removeprefix("www.")
                               for part in source.split(";") if part.strip()))
    return f"{hosts[0]} +{len(hosts) - 1}" if len(hosts) > 1 else "".join(hosts)


def render_document(view: DocumentView, citing: list[CitingTurn], show_questions: bool) -> str:
    """One document: its facts, where answers cite it, and every passage (cited ones marked)."""
    info = view.info
    cited_chunks = Counter(c.get("chunk_id") for turn in citing for c in turn.citations)
    cited_quotes = Counter(c.get("quote") for turn in citing for c in turn.citations)
    parts = [f'<article class="doc-view" data-doc="{escape_inline(info.doc_id)}">',
             f'<h3 class="doc-title">{escape_inline(info.title)}</h3>',
             '<dl class="card-meta">',
             f"<dt>Id</dt><dd>{escape_inline(info.doc_id)}</dd>",
             f"<dt>Language</dt><dd>{escape_inline(info.language)}</dd>",
             f"<dt>Date</dt><dd>{escape_inline(info.date or '—')}</dd>",
             f"<dt>Confidence</dt><dd>{escape_inline(info.confidence or '—')}</dd>",
             f"<dt>Topic</dt><dd>{escape_inline(info.topic or '—')}</dd>",
             f'<dt>Sources</dt><dd class="card-source">{source_links(info.source)}</dd>',
             f"<dt>Passages</dt><dd>{info.passages}</dd></dl>"]
    parts.append(f'<h4>Where it is cited</h4><p class="doc-cited">Cited in {len(citing)} answer'
                 f'{"s" if len(citing) != 1 else ""}'
                 + (f", {sum(cited_quotes.values())} quotes" if citing else "") + ".</p>")
    if citing and show_questions:
        items = "".join(
            f'<li><span class="when">{day(turn.created)}</span> {escape_inline(turn.question)}'
            + "".join(f'<q>{escape_inline(str(c.get("quote", "")))}</q>' for c in turn.citations[:2]) + "</li>"
            for turn in citing[:MAX_CITING_SHOWN])
        parts.append(f'<ul class="doc-citing">{items}</ul>')
    parts.append("<h4>Passages</h4><ol class=\"doc-passages\">")
    for chunk in view.passages:
        times = cited_chunks.get(chunk.id, 0) or sum(n for quote, n in cited_quotes.items()
                                                        if quote and quote in chunk.text)
        badge = f'<span class="cited-badge">cited {times}×</span>' if times else ""
        parts.append(f'<li class="{"passage cited" if times else "passage"}"><p class="passage-where">'
                     f"{escape_inline(chunk.locator)} {badge}</p><p>{escape_text(chunk.text)}</p></li>")
    parts.append("</ol></article>")
    return "".join(parts)


def render_ingest(last: LastIngest | None, withdrawn: list[WithdrawnDocument]) -> str:
    parts = ['<section class="ingest-report"><h4>Last ingest</h4>']
    if last is None:
        parts.append("<p>No ingest has been recorded for this index yet.</p>")
    else:
        parts.append(f"<p>{day(last.finished.timestamp())} UTC: {escape_inline(last.summary)}.</p>")
        if last.skipped:
            rows = "".join(f"<li><code>{escape_inline(path.rsplit('/', 1)[-1])}</code>: {escape_inline(reason)}</li>"
                           for path, reason in last.skipped)
            parts.append(f'<p>Files skipped and why:</p><ul class="skipped">{rows}</ul>')
        else:
            parts.append("<p>No file was skipped.</p>")
    if withdrawn:
        rows = "".join(f"<li>{escape_inline(w.title)} <code>{escape_inline(w.doc_id)}</code>, withdrawn "
                       f"{day(w.at.timestamp())}{' by ' + escape_inline(w.by) if w.by else ''}</li>"
                       for w in withdrawn)
        parts.append(f'<h4>Withdrawn documents</h4><ul class="withdrawn">{rows}</ul>')
    parts.append("</section>")
    return "".join(parts)


def render_gap_report(report: GapReport) -> str:
    head = (f'<p class="gap-summary">From {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}: '
            f"<strong>{report.total}</strong> questions the corpus did not serve ({report.refused} refused, "
            f"{report.thumbs_down} rated not helpful), in <strong>{len(report.groups)}</strong> topics.</p>")
    if not report.groups:
        return f'<section class="gap-report">{head}<p>Nothing to report for this period.</p></section>'
    groups = []
    for number, group in enumerate(report.groups, start=1):
        examples = "".join(f"<li>{escape_inline(e)}</li>" for e in group.examples)
        documents = "".join(f"<li>{escape_inline(d.title)} <span class=\"sim\">{d.similarity:.2f}</span></li>"
                            for d in group.documents) or "<li>—</li>"
        comments = "".join(f"<li>{escape_inline(c)}</li>" for c in group.comments)
        groups.append(
            f'<div class="gap-group"><h4><span class="gap-count">{group.count}</span> {number}. '
            f"{escape_inline(group.topic)}</h4>"
            f'<p class="gap-meta">{group.refused} refused · {group.thumbs_down} not helpful'
            + (f" · words: {html.escape(', '.join(group.keywords))}" if group.keywords else "") + "</p>"
            f'<div class="gap-cols"><div><p class="gap-label">Example questions</p><ul>{examples}</ul></div>'
            f'<div><p class="gap-label">Closest documents</p><ul class="gap-docs">{documents}</ul></div></div>'
            + (f'<p class="gap-label">Comments</p><ul>{comments}</ul>' if comments else "") + "</div>")
    return f'<section class="gap-report">{head}{"".join(groups)}</section>'
