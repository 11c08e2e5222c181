"""Held-out scores of a sentence scorer: per-question AUC, top-1, refusal AUC, side accuracy.

Scored per question because that is how the answerer uses the reader: it ranks one question's
candidates and keeps the best. AUC needs a question with both an answer and a non-answer among
its candidates; top-1 counts the same questions (a lone candidate is trivially first). The
refusal AUC asks whether a question's best score separates answered from "none" records, the
threshold the answerer refuses below. Every figure is also given per language, question type
and document form, where a small training set fails first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .data import Pair

# A scorer takes pairs and returns (relevance in [0, 1], class probabilities or None) per pair.
Scorer = Callable[[Sequence[Pair]], tuple[list[float], list[list[float]] | None]]


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


@dataclass
class Tally:
    """Sums for one group of questions."""

    aucs: list[float] = field(default_factory=list)
    top1: list[bool] = field(default_factory=list)

    def add(self, scores: Sequence[float], relevant: Sequence[bool]) -> None:
        pos = [s for s, r in zip(scores, relevant, strict=True) if r]
        neg = [s for s, r in zip(scores, relevant, strict=True) if not r]
        if pos and neg:
            self.aucs.append(auc(pos, neg))
            self.top1.append(relevant[max(range(len(scores)), key=scores.__getitem__)])

    def summary(self) -> dict[str, float | int]:
        n = len(self.aucs)
        return {"questions": n, "auc": round(sum(self.aucs) / n, 4) if n else float("nan"),
                "top1": round(sum(self.top1) / n, 4) if n else float("nan")}


def evaluate(groups: Sequence[Sequence[Pair]], scorer: Scorer) -> dict[str, object]:
    """Score every held-out question's candidates and report overall and per group."""
    flat = [p for g in groups for p in g]
    relevance, classes = scorer(flat)
    overall = Tally()
    by: dict[str, dict[str, Tally]] = {k: defaultdict(Tally) for k in ("language", "type", "form", "cross")}
    best_answered: list[float] = []
    best_none: list[float] = []
    side_right = side_total = 0
    at = 0
    for group in groups:
        scores = relevance[at:at + len(group)]
        probs = classes[at:at + len(group)] if classes is not None else None
        at += len(group)
        relevant = [p.relevant for p in group]
        first = group[0]
        overall.add(scores, relevant)
        by["language"][first.language].add(scores, relevant)
        by["type"][first.qtype].add(scores, relevant)
        by["form"][first.form].add(scores, relevant)
        by["cross"]["same" if first.language == first.doc_language else "cross"].add(scores, relevant)
        (best_answered if any(relevant) else best_none).append(max(scores))
        if probs is not None:
            for pair, row in zip(group, probs, strict=True):
                if pair.label in (2, 3):
                    side_total += 1
                    side_right += int(max((2, 3), key=lambda k: row[k]) == pair.label)
    report: dict[str, object] = {"overall": overall.summary(),
                                 "pairs": len(flat), "questions": len(groups)}
    if best_answered and best_none:
        report["refusal_auc"] = round(auc(best_answered, best_none), 4)
    if side_total:
        report["side_accuracy"] = {"right": side_right, "of": side_total}
    for key, tallies in by.items():
        report[key] = {name: t.summary() for name, t in sorted(tallies.items())}
    return report


def format_report(name: str, report: dict[str, object]) -> str:
    """A few lines a person reads: overall, then each breakdown on one line."""
    overall = report["overall"]
    assert isinstance(overall, dict)
    lines = [f"{name}: AUC {overall['auc']:.3f} top-1 {overall['top1']:.3f} over {overall['questions']} questions"
             f" ({report['pairs']} pairs); refusal AUC {report.get('refusal_auc', float('nan'))}"
             + (f"; side {report['side_accuracy']}" if "side_accuracy" in report else "")]
    for key in ("language", "cross", "form", "type"):
        groups = report.get(key)
        if isinstance(groups, dict):
            lines.append(f"  {key}: " + ", ".join(
                f"{k} {v['auc']:.3f}/{v['top1']:.2f} (n={v['questions']})" for k, v in groups.items()))
    return "\n".join(lines)


def side_accuracy(pairs: Sequence[Pair], scorer: Scorer) -> dict[str, object]:
    """For a side model (classes neutral / for / against): how often the for-or-against answers of
    decision questions get their side, against always saying the majority side."""
    _, classes = scorer(pairs)
    assert classes is not None
    sided = [(p, row) for p, row in zip(pairs, classes, strict=True) if p.label in (2, 3)]
    right = sum(int(max((1, 2), key=lambda k: row[k]) + 1 == p.label) for p, row in sided)
    majority = max(sum(p.label == 2 for p, _ in sided), sum(p.label == 3 for p, _ in sided))
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p, row in sided:
        by_type[p.qtype][0] += int(max((1, 2), key=lambda k: row[k]) + 1 == p.label)
        by_type[p.qtype][1] += 1
    return {"overall": {"questions": len(sided), "auc": float("nan"), "top1": right / max(len(sided), 1)},
            "pairs": len(pairs), "questions": len(sided), "side_accuracy": {"right": right, "of": len(sided)},
            "majority_side": majority, "type": {k: {"right": v[0], "of": v[1]} for k, v in by_type.items()}}
