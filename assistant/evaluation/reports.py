"""Reports of a run: JSON for machines, Markdown for a pull request, JUnit XML, one HTML page."""

from __future__ import annotations

import difflib
import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from pydantic import BaseModel

from ..settings import PROJECT_ROOT
from .gate import GateResult
from .results import QuestionResult, RunResult

DEFAULT_REPORTS_DIR = PROJECT_ROOT / "evals" / "reports"
_MAX_DETAILED = 40
_MAX_DIFF_LINES = 30
_CHART_METRICS = ("pass_rate", "accuracy", "precision", "fact_recall", "citation_validity",
                  "citation_precision", "citation_recall", "hit@5", "recall@5", "mrr@10", "ndcg@10",
                  "false_refusal_rate", "false_answer_rate")


class Report(BaseModel):
    """Everything the report files show, so each writer is a pure function of it."""

    run: RunResult
    baseline: RunResult | None = None
    gate: GateResult | None = None
    verdict: str  # "pass", "regression", "not compared", "baseline updated"
    reason: str = ""
    judge: dict[str, float] | None = None  # advisory means of the LLM judge; never gated

    @property
    def title(self) -> str:
        return {"pass": "no regression", "regression": "REGRESSION",
                "not compared": "not compared", "baseline updated": "baseline updated"}[self.verdict]


def write_reports(report: Report, directory: Path = DEFAULT_REPORTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "latest.json": json.dumps(report.model_dump(mode="json"), indent=1, ensure_ascii=False),
        "latest.md": markdown(report),
        "junit.xml": junit(report),
        "report.html": html_page(report),
    }
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# -- shared pieces -----------------------------------------------------------------------------
def _fmt(value: float) -> str:
    return f"{value:.3f}"


def _delta(value: float) -> str:
    return "0" if abs(value) < 5e-5 else f"{value:+.3f}"


def _retrieved_diff(old: QuestionResult, new: QuestionResult) -> tuple[list[str], list[str]]:
    old_ids = [r.chunk_id for r in old.retrieved]
    new_ids = [r.chunk_id for r in new.retrieved]
    added = [f"{r.chunk_id} (rank {r.rank})" for r in new.retrieved if r.chunk_id not in old_ids]
    removed = [f"{r.chunk_id} (was rank {r.rank})" for r in old.retrieved if r.chunk_id not in new_ids]
    return added, removed


def answer_diff(old: str, new: str) -> list[str]:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "baseline", "current",
                                      lineterm="", n=1))
    if len(lines) > _MAX_DIFF_LINES:
        lines = [*lines[:_MAX_DIFF_LINES], f"... ({len(lines) - _MAX_DIFF_LINES} more lines)"]
    return lines


def _metric_deltas(old: QuestionResult, new: QuestionResult) -> list[str]:
    if old.retrieval is None or new.retrieval is None:
        return []
    return [f"{name} {_fmt(old.retrieval[name])} -> {_fmt(new.retrieval[name])}"
            for name in ("hit@1", "recall@5", "mrr@10", "ndcg@10")
            if abs(new.retrieval[name] - old.retrieval[name]) > 1e-9]


def _changed(old: QuestionResult, new: QuestionResult) -> bool:
    return (old.passed != new.passed or old.answer != new.answer
            or [r.chunk_id for r in old.retrieved] != [r.chunk_id for r in new.retrieved])


# -- Markdown ----------------------------------------------------------------------------------
def markdown(report: Report) -> str:
    run = report.run
    passed = sum(q.passed for q in run.questions)
    lines = [
        f"# Eval: {report.title}",
        "",
        f"Config `{run.config}`: {passed}/{len(run.questions)} questions pass, in {run.duration_s:.0f} s. "
        f"Dataset `{run.dataset_hash}`, corpus `{run.corpus_hash}`, settings `{run.settings_hash}`.",
    ]
    if report.reason:
        lines += ["", f"**{report.reason}**"]
    if report.gate and report.gate.regressions:
        lines += ["", "## Regressions", ""] + [f"- {r}" for r in report.gate.regressions]

    lines += ["", "## Aggregates", ""]
    if report.gate:
        lines += ["| metric | baseline | current | delta | tolerance | |", "|---|---:|---:|---:|---:|---|"]
        for d in report.gate.deltas:
            mark = "regressed" if d.regressed else ("better" if (d.delta < 0) == d.lower_is_better
                                                    and abs(d.delta) > 5e-5 else "")
            lines.append(f"| {d.name}{' (lower is better)' if d.lower_is_better else ''} | "
                         f"{_fmt(d.baseline)} | {_fmt(d.current)} | {_delta(d.delta)} | {d.tolerance:.2f} | {mark} |")
    else:
        lines += ["| metric | value |", "|---|---:|"]
        lines += [f"| {name} | {_fmt(value)} |" for name, value in run.aggregates.items()]
    if report.judge:
        lines += ["", "Advisory LLM judge (not part of the gate): "
                  + ", ".join(f"{name} {value:.3f}" for name, value in report.judge.items())]
    confusion = run.confusion
    lines += ["", "Refusals: "
              f"{confusion['correct_refusals']} correct refusals, {confusion['false_answers']} false answers, "
              f"{confusion['false_refusals']} false refusals, {confusion['answered_answerable']} answered "
              "answerable questions."]

    if report.gate and report.gate.changes:
        lines += ["", "## Status changes", "", "| question | critical | change | why it fails now |",
                  "|---|---|---|---|"]
        for c in report.gate.changes:
            why = "; ".join(c.reasons[:3]) if c.after == "fail" else ""
            lines.append(f"| `{c.id}` | {'yes' if c.critical else ''} | {c.before} -> {c.after} | {why} |")

    if report.baseline:
        before = report.baseline.by_id()
        detailed = [(before[q.id], q) for q in run.questions if q.id in before and _changed(before[q.id], q)]
        if detailed:
            lines += ["", f"## Changed answers and retrievals ({len(detailed)})"]
        for old, new in detailed[:_MAX_DETAILED]:
            lines += ["", f"### `{new.id}`: {old.status} -> {new.status}"]
            deltas = _metric_deltas(old, new)
            if deltas:
                lines.append(f"- metrics: {', '.join(deltas)}")
            added, removed = _retrieved_diff(old, new)
            if added or removed:
                lines.append(f"- retrieved: added {', '.join(added) or 'none'}; "
                             f"removed {', '.join(removed) or 'none'}")
            diff = answer_diff(old.answer, new.answer)
            if diff:
                lines += ["", "```diff", *diff, "```"]
        if len(detailed) > _MAX_DETAILED:
            lines.append(f"\n... and {len(detailed) - _MAX_DETAILED} more in latest.json.")

    failing = [q for q in run.questions if not q.passed]
    if failing:
        lines += ["", f"<details><summary>Failing questions ({len(failing)})</summary>", "",
                  "| question | critical | why |", "|---|---|---|"]
        lines += [f"| `{q.id}` | {'yes' if q.critical else ''} | {'; '.join(q.reasons[:3])} |"
                  for q in failing]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


# -- JUnit -------------------------------------------------------------------------------------
def junit(report: Report) -> str:
    run = report.run
    before = report.baseline.by_id() if report.baseline else {}
    failures = [q for q in run.questions if not q.passed]
    suite = ET.Element("testsuite", name=f"eval.{run.config}", tests=str(len(run.questions)),
                       failures=str(len(failures)), errors="0", skipped="0",
                       time=f"{run.duration_s:.1f}", timestamp=run.created)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("dataset_hash", run.dataset_hash), ("corpus_hash", run.corpus_hash),
                        ("settings_hash", run.settings_hash), ("verdict", report.verdict)):
        ET.SubElement(properties, "property", name=name, value=value)
    for q in run.questions:
        case = ET.SubElement(suite, "testcase", classname=f"eval.{q.category}", name=q.id,
                             time=f"{q.latency_ms / 1000:.3f}")
        if not q.passed:
            old = before.get(q.id)
            history = ("regression: passed in the baseline" if old and old.passed
                       else "known failure: fails in the baseline too" if old else "no baseline")
            message = f"{history}; {'; '.join(q.reasons)}"
            failure = ET.SubElement(case, "failure", message=message[:500],
                                    type="critical" if q.critical else "question")
            failure.text = f"Q: {q.question}\n\nA: {q.answer}"
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"


# -- HTML --------------------------------------------------------------------------------------
def bar_chart_svg(current: dict[str, float], baseline: dict[str, float] | None) -> str:
    """Horizontal bars, baseline (grey) above current (blue), every value on a 0-1 scale."""
    names = [n for n in _CHART_METRICS if n in current]
    row, label_width, bar_width = 34, 190, 420
    height = row * len(names) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 70}" '
             f'height="{height}" role="img" aria-label="Aggregates, baseline and current">']
    for i, name in enumerate(names):
        y = 10 + i * row
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" '
                     f'font-size="13">{html.escape(name)}</text>')
        if baseline and name in baseline:
            width = max(baseline[name], 0) * bar_width
            parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{width:.1f}" height="11" '
                         f'fill="#b8bec7"><title>baseline {baseline[name]:.3f}</title></rect>')
        width = max(current[name], 0) * bar_width
        parts.append(f'<rect x="{label_width}" y="{y + 14}" width="{width:.1f}" height="13" '
                     f'fill="#2f6fdf"><title>current {current[name]:.3f}</title></rect>')
        parts.append(f'<text x="{label_width + width + 6:.1f}" y="{y + 25}" font-size="12">'
                     f'{current[name]:.3f}</text>')
    parts.append(f'<line x1="{label_width}" y1="4" x2="{label_width}" y2="{height - 20}" stroke="#555"/>')
    parts.append(f'<text x="{label_width}" y="{height - 4}" font-size="11">0</text>'
                 f'<text x="{label_width + bar_width}" y="{height - 4}" font-size="11">1</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#1d2430}
h1{font-size:1.5rem}.pass{color:#17803d}.fail{color:#b42318}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e3e6ea;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
.verdict{padding:.6rem 1rem;border-radius:6px;background:#eef2f7;display:inline-block}
.regression{background:#fde8e7}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}
details{margin:.2rem 0}pre{white-space:pre-wrap;background:#f6f7f9;padding:.5rem}"""


def html_page(report: Report) -> str:
    run = report.run
    esc = html.escape
    before = report.baseline.by_id() if report.baseline else {}
    verdict_class = "verdict regression" if report.verdict == "regression" else "verdict"
    rows = []
    for q in run.questions:
        old = before.get(q.id)
        change = f"{old.status} &rarr; {q.status}" if old and old.passed != q.passed else ""
        rows.append(
            f"<tr><td><code>{esc(q.id)}</code></td><td>{esc(q.category)}</td>"
            f"<td>{'yes' if q.critical else ''}</td><td class='{q.status}'>{q.status}</td><td>{change}</td>"
            f"<td><details><summary>{esc(q.question)}</summary><pre>{esc(q.answer)}</pre>"
            f"<p>{esc('; '.join(q.reasons))}</p></details></td></tr>"
        )
    regressions = "".join(f"<li>{esc(r)}</li>" for r in (report.gate.regressions if report.gate else []))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Eval report: {esc(report.title)}</title>
<style>{_CSS}</style></head><body>
<h1>Eval report</h1>
<p class="{verdict_class}"><strong>{esc(report.title)}</strong> &middot; config <code>{esc(run.config)}</code>
&middot; {sum(q.passed for q in run.questions)}/{len(run.questions)} questions pass &middot; {run.duration_s:.0f} s
&middot; {esc(run.created)}</p>
<p>{esc(report.reason)}</p>
{f"<h2>Regressions</h2><ul>{regressions}</ul>" if regressions else ""}
<h2>Aggregates</h2>
<p class="legend"><span style="background:#b8bec7"></span>baseline<span style="background:#2f6fdf"></span>current</p>
{bar_chart_svg(run.aggregates, report.baseline.aggregates if report.baseline else None)}
<h2>Questions</h2>
<table><tr><th>id</th><th>category</th><th>critical</th><th>status</th><th>change</th><th>question and answer</th></tr>
{"".join(rows)}</table>
<p>Dataset {esc(run.dataset_hash)} &middot; corpus {esc(run.corpus_hash)} &middot; settings {esc(run.settings_hash)}</p>
</body></html>
"""
