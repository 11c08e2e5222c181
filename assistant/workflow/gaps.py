"""The corpus-gap report: what people asked that the corpus did not serve, grouped by topic.

The refused questions and the thumbs-down answers of a period are embedded with the assistant's
embedding model (the one the index uses, so French and English questions on one subject fall
together) and clustered by average-linkage agglomerative clustering on cosine distance, with no
fixed number of groups. Each group gets its count, a few example questions, the words that set it
apart, and the documents closest to its centre (a dense search of the index with the group's mean
vector): where a curator would add or extend a document.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from ..storage.conversations import GapCandidate
from ..text import content_tokens, stem, words

# Questions closer than this (cosine distance, average linkage) share a topic. Tuned on the seeded
# questions of tests/workflow/test_gaps.py with the default model (use-multilingual): the seeds group
# by subject, across French and English, for any threshold from 0.65 to 0.7; below that a translation
# splits off, above it two subjects merge. Another embedding model may want another value.
DISTANCE_THRESHOLD = 0.68
MAX_EXAMPLES = 5
MAX_DOCUMENTS = 3

Embed = Callable[[str], list[float]]
# (mean vector, k) -> [(doc_id, title, similarity)], best first
NearestDocuments = Callable[[list[float], int], list[tuple[str, str, float]]]


@dataclass(frozen=True)
class ClosestDocument:
    doc_id: str
    title: str
    similarity: float


@dataclass(frozen=True)
class GapGroup:
    topic: str
    count: int
    refused: int
    thumbs_down: int
    examples: list[str]
    keywords: list[str]
    documents: list[ClosestDocument]
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GapReport:
    since: datetime
    until: datetime
    total: int
    refused: int
    thumbs_down: int
    groups: list[GapGroup]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"], data["until"] = self.since.isoformat(), self.until.isoformat()
        return data

    def to_text(self) -> str:
        return to_text(self)


def cluster(vectors: np.ndarray, threshold: float = DISTANCE_THRESHOLD) -> list[int]:
    """A group label per row (0, 1, ...), by size then first appearance."""
    if len(vectors) == 0:
        return []
    if len(vectors) == 1:
        return [0]
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=threshold).fit_predict(vectors)
    sizes = Counter(labels.tolist())
    order = sorted(sizes, key=lambda label: (-sizes[label], labels.tolist().index(label)))
    renumber = {label: rank for rank, label in enumerate(order)}
    return [renumber[label] for label in labels.tolist()]


def build_report(candidates: list[GapCandidate], embed: Embed, nearest: NearestDocuments,
                 since: datetime, until: datetime) -> GapReport:
    questions = [" ".join(c.question.split()) for c in candidates]
    unique = list(dict.fromkeys(q.casefold() for q in questions))
    vector_of: dict[str, np.ndarray] = {}
    for folded in unique:
        text = next(q for q in questions if q.casefold() == folded)
        vector = np.asarray(embed(text), dtype=float)
        vector_of[folded] = vector / (np.linalg.norm(vector) or 1.0)
    labels = cluster(np.array([vector_of[f] for f in unique])) if unique else []
    label_of = dict(zip(unique, labels, strict=True))
    members: dict[int, list[int]] = {}
    for index, question in enumerate(questions):
        members.setdefault(label_of[question.casefold()], []).append(index)
    document_frequency = Counter(t for q in unique for t in set(content_tokens(q)))
    groups = []
    for label in sorted(members):
        indexes = members[label]
        group_questions = [questions[i] for i in indexes]
        distinct = list(dict.fromkeys(group_questions))
        centre = np.mean([vector_of[q.casefold()] for q in distinct], axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        # the examples closest to the group's centre come first
        distinct.sort(key=lambda q: -float(vector_of[q.casefold()] @ centre))
        keywords = _keywords(distinct, document_frequency, len(unique))
        groups.append(GapGroup(
            topic=distinct[0], count=len(indexes),
            refused=sum(1 for i in indexes if candidates[i].kind == "refused"),
            thumbs_down=sum(1 for i in indexes if candidates[i].kind == "thumbs_down"),
            examples=distinct[:MAX_EXAMPLES], keywords=keywords,
            documents=[ClosestDocument(doc_id, title, round(similarity, 3))
                       for doc_id, title, similarity in nearest(centre.tolist(), MAX_DOCUMENTS)],
            comments=[candidates[i].comment for i in indexes if candidates[i].comment][:MAX_EXAMPLES],
        ))
    groups.sort(key=lambda g: -g.count)
    return GapReport(since=since, until=until, total=len(candidates),
                     refused=sum(1 for c in candidates if c.kind == "refused"),
                     thumbs_down=sum(1 for c in candidates if c.kind == "thumbs_down"), groups=groups)


def _keywords(questions: list[str], document_frequency: Counter[str], total: int, k: int = 4) -> list[str]:
    """The words of a group's questions that other questions use least (tf-idf over the report)."""
    counts = Counter(t for q in questions for t in set(content_tokens(q)))
    scored = {t: n * math.log(1 + total / document_frequency[t]) for t, n in counts.items() if len(t) > 2}
    spelled = Counter((stem(w), w) for q in questions for w in words(q))  # a stem shown as its commonest word
    surface = {s: w for (s, w), _ in sorted(spelled.items(), key=lambda item: -item[1])[::-1]}
    return [surface.get(t, t) for t, _ in sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:k]]


def to_text(report: GapReport) -> str:
    """The report for a terminal."""
    lines = [f"Corpus gaps from {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}: {report.total} questions "
             f"({report.refused} refused, {report.thumbs_down} rated not helpful) in {len(report.groups)} topics"]
    for number, group in enumerate(report.groups, start=1):
        lines += ["", f"{number}. {group.topic}",
                  f"   {group.count} questions ({group.refused} refused, {group.thumbs_down} not helpful)"
                  + (f"; words: {', '.join(group.keywords)}" if group.keywords else "")]
        lines += [f"   - {example}" for example in group.examples]
        if group.documents:
            closest = "; ".join(f"{d.title} ({d.similarity:.2f})" for d in group.documents)
            lines.append(f"   closest documents: {closest}")
        lines += [f"   comment: {comment}" for comment in group.comments]
    return "\n".join(lines)

