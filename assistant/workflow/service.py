"""``Workflow``: what front ends get from ``Assistant.workflow()`` (briefs, the corpus tab, gaps).

The conversations and the turn log come from the storage layer, which front ends read themselves;
this object adds what needs the index and the embedding model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from ..errors import IndexUnavailable
from ..storage.conversations import GapCandidate, StoredConversation
from . import corpus
from .brief import Brief, build_brief, to_markdown
from .gaps import GapReport, build_report

if TYPE_CHECKING:
    from ..api import Assistant

BriefFormat = Literal["pdf", "md"]
MEDIA_TYPES = {"pdf": "application/pdf", "md": "text/markdown; charset=utf-8"}


@dataclass(frozen=True)
class BriefFile:
    name: str
    data: bytes
    media_type: str


class Workflow:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    # -- briefs ------------------------------------------------------------------------
    def corpus_version(self) -> str:
        """The live generation as a short id, when it was published and how many documents it has."""
        try:
            info = self.assistant.index_info()
        except IndexUnavailable:
            return "unknown (no index)"
        digest = hashlib.sha256(info.generation.encode()).hexdigest()[:8]
        published = info.generation.rpartition("-g")[2]
        when = (f"{datetime.fromtimestamp(int(published) / 1e9, UTC):%Y-%m-%d %H:%M} UTC, "
                if published.isdigit() else "")
        return f"{digest} ({when}{len(info.documents)} documents, {info.passages} passages)"

    def brief(self, conversation: StoredConversation, now: datetime | None = None) -> Brief:
        return build_brief(conversation, self.corpus_version(), now)

    def export_brief(self, conversation: StoredConversation, fmt: BriefFormat = "pdf",
                     now: datetime | None = None) -> BriefFile:
        brief = self.brief(conversation, now)
        if fmt == "md":
            data = to_markdown(brief).encode("utf-8")
        else:
            from .brief_pdf import to_pdf  # fpdf2 is imported only when a PDF is made

            data = to_pdf(brief)
        return BriefFile(name=brief.file_name(fmt), data=data, media_type=MEDIA_TYPES[fmt])

    # -- the gap report ----------------------------------------------------------------
    def gap_report(self, candidates: list[GapCandidate], since: datetime, until: datetime) -> GapReport:
        corpus = self.assistant.corpus()
        return build_report(candidates, corpus.embed_question, corpus.nearest_documents, since, until)

    # -- the corpus tab ----------------------------------------------------------------
    def document(self, doc_id: str) -> corpus.DocumentView | None:
        return corpus.document_view(self.assistant, doc_id)

    def withdraw(self, doc_id: str, by: str | None = None) -> str:
        return corpus.withdraw(self.assistant, doc_id, by)

    def restore(self, doc_id: str) -> str:
        return corpus.restore(self.assistant, doc_id)

    def withdrawn(self) -> list[corpus.WithdrawnDocument]:
        return corpus.withdrawn_documents(self.assistant)

    def last_ingest(self) -> corpus.LastIngest | None:
        return corpus.last_ingest(self.assistant)
