"""The results contract and the target table of ``benchmarks/report.py``."""

from __future__ import annotations

from typing import Any

from benchmarks.report import REQUIRED_KEYS, lookup, markdown, missing_keys, plain_table, table


def results(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ask_ms": {"p50": 21.0, "p95": 30.0, "p50_spread": [20.0, 22.0], "p95_spread": [28.0, 33.0],
                   "rounds": 5, "questions": 112},
        "cold_start_s": 5.1,
        "cold_start": {"median": 5.1, "low": 5.0, "high": 5.3, "spread": "min–max", "n": 3},
        "serve_ready_s": 1.8,
        "serve_ready": {"median": 1.8, "low": 1.7, "high": 2.4, "spread": "min–max", "n": 3,
                        "page_ready_s": {"median": 4.0, "low": 3.9, "high": 4.4, "spread": "min–max", "n": 3}},
        "reingest_unchanged_s": 0.03,
        "retrieve_ms_p95_at": {"1000": 4.0, "100000": 12.0},
        "serve_peak_rss_mb": 400.0,
        "accuracy": 0.85,
        "baseline": {"ask_ms": {"p50": 15.0, "p95": 20.0, "p50_spread": [14.0, 16.0], "rounds": 5,
                                "questions": 112}, "accuracy": 0.7},
        "concurrency": {"errors": 0, "requests": 900, "throughput_rps": 30.0, "p95_ms": 900.0, "ok": 900},
    }
    data.update(overrides)
    return data


def test_lookup_follows_dotted_paths_and_misses_plainly() -> None:
    data = results()
    assert lookup(data, "retrieve_ms_p95_at.100000") == 12.0
    assert lookup(data, "baseline.ask_ms.p50") == 15.0
    assert lookup(data, "baseline.nothing") is None
    assert lookup(data, "accuracy.deeper") is None


def test_every_required_key_is_checked() -> None:
    assert missing_keys(results()) == []
    partial = results(cold_start_s=None)
    del partial["baseline"]["accuracy"]
    assert missing_keys(partial) == ["cold_start_s", "baseline.accuracy"]
    assert len(REQUIRED_KEYS) == 10


def status_of(text: str, label: str) -> str:
    row = next(line for line in text.splitlines() if line.startswith(f"| {label}"))
    return row.rstrip(" |").rsplit("|", 1)[1].strip()


def test_targets_are_judged_met_or_missed() -> None:
    good = table(results())
    assert status_of(good, "ask p50") == "met"
    assert status_of(good, "retrieve p95 at 100,000") == "met"
    assert status_of(good, "20 clients on /api/ask: errors") == "met"
    assert status_of(good, "serve ready") == "met" and status_of(good, "cold start") == "MISSED"  # 5.1 s > 1.5 s
    assert status_of(table(results(serve_ready_s=2.5)), "serve ready") == "MISSED"
    bad = table(results(ask_ms={**results()["ask_ms"], "p95": 140.0}, cold_start_s=7.5,
                        concurrency={"errors": 3, "requests": 10}))
    assert status_of(bad, "ask p95") == "MISSED"
    assert status_of(bad, "cold start") == "MISSED"
    assert status_of(bad, "20 clients on /api/ask: errors") == "MISSED"
    assert status_of(bad, "ask p50") == "met"
    assert "not measured" in table(results(serve_peak_rss_mb=None))


def test_markdown_names_the_machine_spread_and_runs() -> None:
    data = results(machine={"nproc": 2, "cpu_model": "AMD EPYC"}, command="make bench")
    text = markdown(data, ["a caveat"])
    assert "`nproc` = 2" in text and "AMD EPYC" in text and "`make bench`" in text
    assert "20.0–22.0 ms (per-round min–max)" in text
    assert "5 rounds × 112 q" in text
    assert "- a caveat" in text
    assert plain_table(data).splitlines()[0].startswith("figure")
