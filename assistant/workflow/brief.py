"""A saved conversation as a strategy brief: questions, answers and one numbered list of sources.

The answers keep their words; their ``[n]`` markers are renumbered into the brief's single source
list, where a quote cited by two answers appears once. Each source carries its quote, document,
locator, date and link, and the brief says when it was exported and from which corpus version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..models import Language
from ..storage.conversations import StoredConversation
from ..text import CITATION_MARKER, marker_numbers

LABELS: dict[Language, dict[str, str]] = {
    "en": {"brief": "Strategy brief", "exported": "Exported", "corpus": "Corpus version",
           "conversation": "Conversation", "questions": "Questions", "question": "Question",
           "asked": "Asked", "sources": "Sources", "document": "Document", "where": "Where", "date": "Date",
           "link": "Link", "quote": "Quote", "refused": "Not in the corpus: the documents do not answer this.",
           "no_sources": "No answer of this conversation cites a source.", "page": "Page",
           "count": "{n} questions, {s} sources"},
    "fr": {"brief": "Note de synthèse", "exported": "Exportée le", "corpus": "Version du corpus",
           "conversation": "Conversation", "questions": "Questions", "question": "Question",
           "asked": "Posée le", "sources": "Sources", "document": "Document", "where": "Emplacement",
           "date": "Date", "link": "Lien", "quote": "Citation",
           "refused": "Hors du corpus : les documents ne répondent pas à cette question.",
           "no_sources": "Aucune réponse de cette conversation ne cite de source.", "page": "Page",
           "count": "{n} questions, {s} sources"},
}


@dataclass(frozen=True)
class BriefSource:
    n: int
    doc_id: str
    title: str
    locator: str
    date: str
    link: str
    quote: str

    @property
    def links(self) -> list[str]:
        return [part.strip() for part in self.link.split(";") if part.strip()]


@dataclass(frozen=True)
class BriefItem:
    n: int
    question: str
    answer: str
    refused: bool
    asked: datetime
    sources: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Brief:
    title: str
    conversation_id: int
    channel: str
    language: Language
    exported: datetime
    corpus_version: str
    items: list[BriefItem]
    sources: list[BriefSource]

    @property
    def labels(self) -> dict[str, str]:
        return LABELS[self.language]

    def file_name(self, suffix: str) -> str:
        return f"brief-{self.conversation_id}-{self.exported:%Y%m%d}.{suffix}"


def build_brief(conversation: StoredConversation, corpus_version: str, now: datetime | None = None) -> Brief:
    sources: dict[tuple[str, str, str], BriefSource] = {}
    items: list[BriefItem] = []
    for number, turn in enumerate(conversation.turns, start=1):
        renumber: dict[int, int] = {}
        for citation in turn.citation_models():
            key = (citation.doc_id, citation.locator, citation.quote)
            if key not in sources:
                sources[key] = BriefSource(n=len(sources) + 1, doc_id=citation.doc_id, title=citation.title,
                                           locator=citation.locator, date=citation.date, link=citation.source,
                                           quote=citation.quote)
            renumber[citation.n] = sources[key].n

        def marker(match: re.Match[str], renumber: dict[int, int] = renumber) -> str:
            cited = marker_numbers(match)  # a group "[1, 2]" stays as written
            return f"[{renumber[cited[0]]}]" if len(cited) == 1 and cited[0] in renumber else match.group(0)

        answer = CITATION_MARKER.sub(marker, turn.answer).strip()
        items.append(BriefItem(n=number, question=turn.question, answer=answer,
                               refused=turn.refused, asked=datetime.fromtimestamp(turn.created, UTC),
                               sources=sorted(set(renumber.values()))))
    languages = [t.language for t in conversation.turns]
    language: Language = "fr" if languages.count("fr") > languages.count("en") else "en"
    return Brief(title=conversation.summary.title, conversation_id=conversation.summary.id,
                 channel=conversation.summary.channel, language=language,
                 exported=now or datetime.now(UTC), corpus_version=corpus_version, items=items,
                 sources=list(sources.values()))


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def meta_line(brief: Brief) -> str:
    labels = brief.labels
    return (f"{labels['exported']} {when(brief.exported)} · {labels['corpus']} {brief.corpus_version} · "
            f"{labels['conversation']} {brief.conversation_id} ({brief.channel}) · "
            + labels["count"].format(n=len(brief.items), s=len(brief.sources)))


def to_markdown(brief: Brief) -> str:
    labels = brief.labels
    lines = [f"# {labels['brief']}: {_inline(brief.title)}", "", f"*{meta_line(brief)}*", "",
             f"## {labels['questions']}", "", f"| # | {labels['question']} | {labels['asked']} | {labels['sources']} |",
             "|---|---|---|---|"]
    lines += [f"| {item.n} | {_cell(item.question)} | {when(item.asked)} | "
              f"{', '.join(f'[{n}]' for n in item.sources) or '—'} |" for item in brief.items]
    for item in brief.items:
        lines += ["", f"## {item.n}. {_inline(item.question)}", ""]
        if item.refused:
            lines += [f"> **{labels['refused']}**", ">"]
            lines += [f"> {line}" if line.strip() else ">" for line in item.answer.splitlines()]
        else:
            lines += [line.rstrip() for line in item.answer.splitlines()]
    lines += ["", f"## {labels['sources']}", ""]
    if not brief.sources:
        lines.append(labels["no_sources"])
    for source in brief.sources:
        links = " ".join(f"<{link}>" if link.startswith(("http://", "https://")) else link
                         for link in source.links) or "—"
        lines += [f"{source.n}. **{_inline(source.title)}** — {_inline(source.locator)} · "
                  f"{labels['date']}: {source.date or '—'} · {labels['link']}: {links}",
                  f"   > {_inline(source.quote)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _inline(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")
