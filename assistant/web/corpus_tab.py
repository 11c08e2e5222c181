"""The corpus tab and the curator's gap report.

Everyone browses the documents of the live index (title, language, date, confidence, sources,
passages), searches them by title and opens one to read its passages and where answers cite it
(administrators see the questions of every answer; others only their own). Administrators also
withdraw a document from the index, restore it, and read the last ingest's report and the
corpus-gap report.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import gradio as gr

from ..errors import AssistantError, IndexUnavailable
from ..models import DocumentInfo
from .chat import note
from .context import WebContext
from .owner import owner_of
from .render_workflow import domains, render_document, render_gap_report, render_ingest

log = logging.getLogger(__name__)
Outputs = tuple[Any, ...]
COLUMNS = ["Title", "Language", "Date", "Confidence", "Sources", "Passages"]
PERIODS = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last 365 days": 365}
DOCUMENT_EMPTY = "<p class='panel-empty'>Click a document in the table to read its passages and where it is cited.</p>"


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


class CorpusHandlers:
    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def is_admin(self, request: gr.Request | None) -> bool:
        return self.ctx.may_upload(self.ctx.identity_of(request))

    # -- browsing ----------------------------------------------------------------------
    def table(self, query: str | None) -> Outputs:
        """(table, shown doc ids, note): the documents whose title holds ``query``."""
        try:
            documents = self.ctx.assistant.index_info().documents
        except IndexUnavailable as error:
            return gr.update(value=[]), [], note(str(error), "bad")
        words = (query or "").casefold().split()
        shown = [d for d in sorted(documents, key=lambda d: d.title.casefold())
                 if all(w in d.title.casefold() for w in words)]
        total = sum(d.passages for d in documents)
        summary = (f"{len(shown)} of {len(documents)} documents" if words
                   else f"{len(documents)} documents, {total} passages")
        return gr.update(value=[_row(d) for d in shown]), [d.doc_id for d in shown], note(summary)

    def open(self, shown: list[str], selected: gr.SelectData, request: gr.Request) -> Outputs:
        """(document view, chosen doc id, withdraw row visibility)."""
        row = selected.index[0] if isinstance(selected.index, (list, tuple)) else selected.index
        if not isinstance(row, int) or not 0 <= row < len(shown):
            return gr.skip(), gr.skip(), gr.skip()
        return self.show(shown[row], request)

    def show(self, doc_id: str | None, request: gr.Request) -> Outputs:
        if not doc_id:
            return DOCUMENT_EMPTY, None, gr.update(visible=False)
        view = self.ctx.assistant.workflow().document(doc_id)
        if view is None:
            return note("This document is no longer in the index.", "bad"), None, gr.update(visible=False)
        admin = self.is_admin(request)
        citing = self.ctx.conversations.citing(doc_id)
        if not admin:
            owner = owner_of(request, self.ctx.login_required)
            mine = [turn for turn in citing if owner is not None and turn.owner == owner]
            html = render_document(view, mine, show_questions=True)
        else:
            html = render_document(view, citing, show_questions=True)
        return html, doc_id, gr.update(visible=admin)

    # -- administrators ----------------------------------------------------------------
    def admin_view(self, request: gr.Request) -> Outputs:
        """(ingest report, withdrawn choices, corpus admin group, gap group)."""
        if not self.is_admin(request):
            return "", gr.update(choices=[]), gr.update(visible=False), gr.update(visible=False)
        return (*self.ingest_state(), gr.update(visible=True), gr.update(visible=True))

    def ingest_state(self) -> Outputs:
        workflow = self.ctx.assistant.workflow()
        try:
            last, withdrawn = workflow.last_ingest(), workflow.withdrawn()
        except Exception as error:  # the index cannot be read: say so in the report's place
            return note(f"The index cannot be read ({error.__class__.__name__}).", "bad"), gr.update(choices=[])
        return render_ingest(last, withdrawn), gr.update(choices=[(w.title, w.doc_id) for w in withdrawn],
                                                          value=None)

    def withdraw(self, doc_id: str | None, query: str | None, request: gr.Request) -> Outputs:
        """(note, table, shown ids, table note, document view, chosen id, confirm row, report, withdrawn list)."""
        if not self.is_admin(request):
            return (note("Only administrators may withdraw documents.", "bad"), *[gr.skip()] * 5,
                    gr.update(visible=False), gr.skip(), gr.skip())
        if not doc_id:
            return (note("Open a document first.", "bad"), *[gr.skip()] * 5, gr.update(visible=False),
                    gr.skip(), gr.skip())
        try:
            message = self.ctx.assistant.workflow().withdraw(doc_id, by=_user(request) or "web")
        except AssistantError as error:
            return (note(str(error), "bad"), *[gr.skip()] * 5, gr.update(visible=False), gr.skip(), gr.skip())
        log.info("document %s withdrawn from the index", doc_id)
        return (note(message, "ok"), *self.table(query), DOCUMENT_EMPTY, None, gr.update(visible=False),
                *self.ingest_state())

    def restore(self, doc_id: str | None, query: str | None, request: gr.Request) -> Outputs:
        """(note, table, shown ids, table note, report, withdrawn list)."""
        if not self.is_admin(request) or not doc_id:
            return (note("Choose a withdrawn document first." if doc_id is None else
                         "Only administrators may restore documents.", "bad"), *[gr.skip()] * 5)
        try:
            message = self.ctx.assistant.workflow().restore(doc_id)
        except AssistantError as error:
            return (note(str(error), "bad"), *[gr.skip()] * 5)
        return (note(message, "ok"), *self.table(query), *self.ingest_state())

    def gaps(self, period: str | None, request: gr.Request) -> str:
        if not self.is_admin(request):
            return note("The corpus-gap report is for administrators.", "bad")
        days = PERIODS.get(period or "", 30)
        until = datetime.now(UTC)
        since = until - timedelta(days=days)
        try:
            candidates = self.ctx.conversations.gap_candidates(since.timestamp(), until.timestamp())
            report = self.ctx.assistant.workflow().gap_report(candidates, since, until)
        except Exception as error:
            log.exception("gap report failed")
            return note(f"The report could not be made ({error.__class__.__name__}).", "bad")
        return render_gap_report(report)


def _row(document: DocumentInfo) -> list[object]:
    return [document.title, document.language, document.date or "—", document.confidence or "—",
            domains(document.source) or "—", document.passages]
