"""Reports of a gate run over one or more suites: JSON for machines, Markdown for a pull request,
JUnit XML, one self-contained HTML page. Every report shows the test half first."""

from __future__ import annotations

import difflib
import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from ..settings import PROJECT_ROOT
from .gate import HALF_ORDER, AggregateDelta, GateResult
from .metrics import LOWER_IS_BETTER
from .results import QuestionResult, RunResult

DEFAULT_REPORTS_DIR = PROJECT_ROOT / "evals" / "reports"
_MAX_DETAILED = 40
_MAX_DIFF_LINES = 30
CHART_METRICS = ("pass_rate", "accuracy", "precision", "fact_recall", "context_recall", "quote_validity",
                 "claim_support", "noise", "uncited_claims", "citation_precision", "citation_recall",
                 "language_accuracy", "hit@5", "recall@5", "mrr@10", "ndcg@10", "false_refusal_rate",
                 "false_answer_rate", "premise_uncorrected_rate")


class SuiteReport(BaseModel):
    suite: str
    baseline_path: str = ""
    run: RunResult
    baseline: RunResult | None = None
    gate: GateResult | None = None
    verdict: str  # "pass", "regression", "baseline updated", "refused"
    reason: str = ""
    judge: dict[str, float] | None = None  # advisory means of the LLM judge; never gated


class Report(BaseModel):
    """Everything the report files show, so each writer is a pure function of it."""

    suites: list[SuiteReport]

    @property
    def verdict(self) -> str:
        verdicts = {s.verdict for s in self.suites}
        for worst in ("refused", "regression", "baseline updated"):
            if worst in verdicts:
                return worst
        return "pass"

    @property
    def title(self) -> str:
        return {"pass": "no regression", "regression": "REGRESSION", "refused": "baseline update refused",
                "baseline updated": "baseline updated"}[self.verdict]


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
    return [f"{name} {_fmt(old.retrieval.get(name, 0.0))} -> {_fmt(new.retrieval[name])}"
            for name in ("hit@1", "recall@5", "mrr@10", "ndcg@10")
            if name in new.retrieval and abs(new.retrieval[name] - old.retrieval.get(name, 0.0)) > 1e-9]


def _changed(old: QuestionResult, new: QuestionResult) -> bool:
    return (old.passed != new.passed or old.answer != new.answer
            or [r.chunk_id for r in old.retrieved] != [r.chunk_id for r in new.retrieved])


def by_category(questions: Sequence[QuestionResult]) -> dict[str, tuple[int, int]]:
    """Category -> (passed, questions), categories in order of first appearance."""
    table: dict[str, tuple[int, int]] = {}
    for q in questions:
        passed, total = table.get(q.category, (0, 0))
        table[q.category] = (passed + q.passed, total + 1)
    return table


def _suite_title(part: SuiteReport) -> str:
    run = part.run
    return f"{part.suite} suite ({Path(run.dataset_path).name} over {run.corpus_dir or 'corpus'})"


# -- Markdown ----------------------------------------------------------------------------------
def _delta_table(deltas: list[AggregateDelta]) -> list[str]:
    lines = ["| metric | baseline | current | delta | tolerance | |", "|---|---:|---:|---:|---:|---|"]
    for d in deltas:
        better = abs(d.delta) > 5e-5 and (d.delta < 0) == d.lower_is_better
        mark = "regressed" if d.regressed else ("better" if better else "")
        lines.append(f"| {d.name}{' (lower is better)' if d.lower_is_better else ''} | {_fmt(d.baseline)} | "
                     f"{_fmt(d.current)} | {_delta(d.delta)} | {d.tolerance:.3f} | {mark} |")
    return lines


def _suite_markdown(part: SuiteReport) -> list[str]:
    run = part.run
    lines = ["", f"## {_suite_title(part)}: {part.verdict}", ""]
    counts = ", ".join(f"{half} half {sum(q.passed for q in run.half(half))}/{len(run.half(half))}"
                       for half in HALF_ORDER)
    lines.append(f"{counts} questions pass, in {run.duration_s:.0f} s. Dataset `{run.dataset_hash}`, "
                 f"corpus `{run.corpus_hash}`, settings `{run.settings_hash}`.")
    if part.reason:
        lines += ["", f"**{part.reason}**"]
    gate = part.gate
    if gate and gate.context:
        lines += ["", "Compared with a baseline made under other conditions:", ""] + [f"- {c}" for c in gate.context]
    if gate and gate.regressions:
        lines += ["", "### Regressions", ""] + [f"- {r}" for r in gate.regressions]
    for half in HALF_ORDER:
        lines += ["", f"### Aggregates, {half} half ({len(run.half(half))} questions)", ""]
        if gate:
            lines += _delta_table([d for d in gate.deltas if d.half == half])
        else:
            lines += ["| metric | value |", "|---|---:|"]
            lines += [f"| {name}{' (lower is better)' if name in LOWER_IS_BETTER else ''} | {_fmt(value)} |"
                      for name, value in run.halves.get(half, {}).items()]
    lines += ["", "### Pass rate by category", "", "| category | test half | calibration half |", "|---|---:|---:|"]
    halves = {half: by_category(run.half(half)) for half in HALF_ORDER}
    for category in by_category(run.questions):
        cells = [f"{p}/{t}" if t else "-" for p, t in (halves[h].get(category, (0, 0)) for h in HALF_ORDER)]
        lines.append(f"| {category} | {' | '.join(cells)} |")
    if part.judge:
        lines += ["", "Advisory LLM judge (not part of the gate): "
                  + ", ".join(f"{name} {value:.3f}" for name, value in part.judge.items())]
    confusion = run.confusion
    lines += ["", "Refusals (both halves): "
              f"{confusion['correct_refusals']} correct refusals, {confusion['false_answers']} false answers, "
              f"{confusion['false_refusals']} false refusals, {confusion['answered_answerable']} answered "
              "answerable questions."]
    if gate and (gate.added or gate.removed):
        lines += ["", f"Questions added: {', '.join(gate.added) or 'none'}; "
                      f"removed: {', '.join(gate.removed) or 'none'}."]
    if gate and gate.changes:
        lines += ["", "### Status changes", "", "| question | half | critical | change | why it fails now |",
                  "|---|---|---|---|---|"]
        for c in gate.changes:
            why = "; ".join(c.reasons[:3]) if c.after == "fail" else ""
            lines.append(f"| `{c.id}` | {c.half} | {'yes' if c.critical else ''} | {c.before} -> {c.after} | {why} |")
    if part.baseline:
        before = part.baseline.by_id()
        detailed = [(before[q.id], q) for q in run.questions if q.id in before and _changed(before[q.id], q)]
        if detailed:
            lines += ["", f"### Changed answers and retrievals ({len(detailed)})"]
        for old, new in detailed[:_MAX_DETAILED]:
            lines += ["", f"#### `{new.id}` ({new.half} half): {old.status} -> {new.status}"]
            deltas = _metric_deltas(old, new)
            if deltas:
                lines.append(f"- metrics: {', '.join(deltas)}")
            added, removed = _retrieved_diff(old, new)
            if added or removed:
                lines.append(f"- retrieved: added {', '.join(added) or 'none'}; removed {', '.join(removed) or 'none'}")
            diff = answer_diff(old.answer, new.answer)
            if diff:
                lines += ["", "```diff", *diff, "```"]
        if len(detailed) > _MAX_DETAILED:
            lines.append(f"\n... and {len(detailed) - _MAX_DETAILED} more in latest.json.")
    failing = sorted((q for q in run.questions if not q.passed), key=lambda q: HALF_ORDER.index(q.half))
    if failing:
        lines += ["", f"<details><summary>Failing questions ({len(failing)})</summary>", "",
                  "| question | half | critical | why |", "|---|---|---|---|"]
        lines += [f"| `{q.id}` | {q.half} | {'yes' if q.critical else ''} | {'; '.join(q.reasons[:3])} |"
                  for q in failing]
        lines += ["", "</details>"]
    return lines


def markdown(report: Report) -> str:
    lines = [f"# Eval: {report.title}", ""]
    lines += [f"- {_suite_title(p)}: **{p.verdict}**" for p in report.suites]
    for part in report.suites:
        lines += _suite_markdown(part)
    return "\n".join(lines) + "\n"


# -- JUnit -------------------------------------------------------------------------------------
def junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="eval")
    for part in report.suites:
        run = part.run
        before = part.baseline.by_id() if part.baseline else {}
        for half in HALF_ORDER:
            questions = run.half(half)
            failures = [q for q in questions if not q.passed]
            suite = ET.SubElement(suites, "testsuite", name=f"eval.{part.suite}.{half}", tests=str(len(questions)),
                                  failures=str(len(failures)), errors="0", skipped="0",
                                  time=f"{sum(q.latency_ms for q in questions) / 1000:.1f}", timestamp=run.created)
            properties = ET.SubElement(suite, "properties")
            for name, value in (("dataset_hash", run.dataset_hash), ("corpus_hash", run.corpus_hash),
                                ("settings_hash", run.settings_hash), ("verdict", part.verdict)):
                ET.SubElement(properties, "property", name=name, value=value)
            for q in questions:
                case = ET.SubElement(suite, "testcase", classname=f"eval.{part.suite}.{q.category}", name=q.id,
                                     time=f"{q.latency_ms / 1000:.3f}")
                if q.passed:
                    continue
                old = before.get(q.id)
                history = ("regression: passed in the baseline" if old and old.passed
                           else "known failure: fails in the baseline too" if old else "no baseline")
                failure = ET.SubElement(case, "failure", message=f"{history}; {'; '.join(q.reasons)}"[:500],
                                        type="critical" if q.critical else "question")
                failure.text = f"Q: {q.question}\n\nA: {q.answer}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# -- HTML --------------------------------------------------------------------------------------
def bar_chart_svg(rows: list[tuple[str, list[tuple[float, str, str]]]], label: str) -> str:
    """Horizontal bars on a 0-1 scale: one row per label, one bar per (value, colour, legend)."""
    bar, gap, label_width, bar_width = 11, 4, 210, 420
    per_row = max((len(bars) for _, bars in rows), default=1) * (bar + 2) + gap * 2
    height = per_row * len(rows) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 80}" '
             f'height="{height}" role="img" aria-label="{html.escape(label)}">']
    for i, (name, bars) in enumerate(rows):
        y = 8 + i * per_row
        parts.append(f'<text x="{label_width - 8}" y="{y + per_row / 2 + 3:.0f}" text-anchor="end" '
                     f'font-size="12">{html.escape(name)}</text>')
        for j, (value, colour, legend) in enumerate(bars):
            top = y + j * (bar + 2)
            width = max(min(value, 1.0), 0.0) * bar_width
            parts.append(f'<rect x="{label_width}" y="{top}" width="{width:.1f}" height="{bar}" fill="{colour}">'
                         f'<title>{html.escape(legend)} {value:.3f}</title></rect>')
            parts.append(f'<text x="{label_width + width + 4:.1f}" y="{top + bar - 2}" '
                         f'font-size="10">{value:.2f}</text>')
    parts.append(f'<line x1="{label_width}" y1="4" x2="{label_width}" y2="{height - 20}" stroke="#555"/>')
    parts.append(f'<text x="{label_width}" y="{height - 4}" font-size="11">0</text>'
                 f'<text x="{label_width + bar_width}" y="{height - 4}" font-size="11">1</text>')
    parts.append("</svg>")
    return "".join(parts)


_TEST, _CALIBRATION, _BASELINE = "#2f6fdf", "#8fb3ef", "#b8bec7"


def aggregate_chart(part: SuiteReport) -> str:
    test = part.run.halves.get("test", {})
    calibration = part.run.halves.get("calibration", {})
    baseline = part.baseline.halves.get("test", {}) if part.baseline else {}
    rows = []
    for name in CHART_METRICS:
        if name not in test:
            continue
        bars = ([(baseline[name], _BASELINE, "baseline test half")] if name in baseline else [])
        bars += [(test[name], _TEST, "test half"), (calibration.get(name, 0.0), _CALIBRATION, "calibration half")]
        rows.append((name + (" (lower is better)" if name in LOWER_IS_BETTER else ""), bars))
    return bar_chart_svg(rows, f"Aggregates of the {part.suite} suite")


def category_chart(part: SuiteReport) -> str:
    halves = {half: by_category(part.run.half(half)) for half in HALF_ORDER}
    rows = []
    for category in by_category(part.run.questions):
        bars = []
        for half, colour in zip(HALF_ORDER, (_TEST, _CALIBRATION), strict=True):
            passed, total = halves[half].get(category, (0, 0))
            bars.append((passed / total if total else 0.0, colour, f"{half} half {passed}/{total}"))
        rows.append((category, bars))
    return bar_chart_svg(rows, f"Pass rate by category, {part.suite} suite")


_CSS = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px;color:#1d2430}
h1{font-size:1.5rem}.pass{color:#17803d}.fail{color:#b42318}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e3e6ea;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
.verdict{padding:.6rem 1rem;border-radius:6px;background:#eef2f7;display:inline-block}
.regression,.refused{background:#fde8e7}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}
details{margin:.2rem 0}pre{white-space:pre-wrap;background:#f6f7f9;padding:.5rem}"""
_LEGEND = (f'<p class="legend"><span style="background:{_BASELINE}"></span>baseline (test half)'
           f'<span style="background:{_TEST}"></span>test half<span style="background:{_CALIBRATION}"></span>'
           "calibration half</p>")


def _suite_html(part: SuiteReport) -> str:
    esc = html.escape
    run = part.run
    before = part.baseline.by_id() if part.baseline else {}
    rows = []
    for q in sorted(run.questions, key=lambda q: HALF_ORDER.index(q.half)):
        old = before.get(q.id)
        change = f"{old.status} &rarr; {q.status}" if old and old.passed != q.passed else ""
        rows.append(
            f"<tr><td><code>{esc(q.id)}</code></td><td>{q.half}</td><td>{esc(q.category)}</td>"
            f"<td>{'yes' if q.critical else ''}</td><td class='{q.status}'>{q.status}</td><td>{change}</td>"
            f"<td><details><summary>{esc(q.question)}</summary><pre>{esc(q.answer)}</pre>"
            f"<p>{esc('; '.join(q.reasons))}</p></details></td></tr>"
        )
    gate = part.gate
    regressions = "".join(f"<li>{esc(r)}</li>" for r in (gate.regressions if gate else []))
    context = "".join(f"<li>{esc(c)}</li>" for c in (gate.context if gate else []))
    counts = " &middot; ".join(f"{half} half {sum(q.passed for q in run.half(half))}/{len(run.half(half))} pass"
                               for half in HALF_ORDER)
    return f"""<section>
<h2>{esc(_suite_title(part))}</h2>
<p class="verdict {esc(part.verdict.split()[0])}"><strong>{esc(part.verdict)}</strong> &middot; {counts}
&middot; {run.duration_s:.0f} s &middot; {esc(run.created)}</p>
<p>{esc(part.reason)}</p>
{f"<h3>Compared with a baseline made under other conditions</h3><ul>{context}</ul>" if context else ""}
{f"<h3>Regressions</h3><ul>{regressions}</ul>" if regressions else ""}
<h3>Pass rate by category</h3>
{_LEGEND}
{category_chart(part)}
<h3>Aggregates</h3>
{aggregate_chart(part)}
<h3>Questions (test half first)</h3>
<table><tr><th>id</th><th>half</th><th>category</th><th>critical</th><th>status</th><th>change</th>
<th>question and answer</th></tr>
{"".join(rows)}</table>
<p>Dataset {esc(run.dataset_hash)} &middot; corpus {esc(run.corpus_hash)} &middot; settings {esc(run.settings_hash)}</p>
</section>"""


def html_page(report: Report) -> str:
    sections = "\n".join(_suite_html(part) for part in report.suites)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Eval report: {html.escape(report.title)}</title>
<style>{_CSS}</style></head><body>
<h1>Eval report: {html.escape(report.title)}</h1>
{sections}
</body></html>
"""
