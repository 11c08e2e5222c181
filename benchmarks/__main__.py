"""``python -m benchmarks`` (``make bench``): every figure of RESULTS.md in one run.

    python -m benchmarks                      # the full run, writes results.json and RESULTS.md
    python -m benchmarks --quick --output /tmp/bench   # a short run for working on the harness
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import common  # sets the offline environment before any assistant module loads a model

SECTIONS = ("ingest", "latency", "accuracy", "cold", "serve", "scale", "replicas")
BUDGET_S = 600


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="Few repeats and small scales: for developing the harness, not for figures.")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"Comma-separated sections to run (default: all of {', '.join(SECTIONS)}).")
    parser.add_argument("--rounds", type=int, help="Latency rounds over the golden questions (default 5).")
    parser.add_argument("--sizes", help="Comma-separated scale sizes (default 1000,10000,100000; "
                        "1000000 is opt-in: about an hour of building on 2 cores, 8 GB of disk).")
    parser.add_argument("--scale-dir", type=Path, help="Keep the scale indexes in this folder, and reuse "
                        "(or resume building) those already there (default: a temporary folder).")
    parser.add_argument("--server-sizes", default="",
                        help="Comma-separated scale sizes also measured through a Chroma server on loopback.")
    parser.add_argument("--duration", type=float, help="Seconds of the 20-client run (default 30).")
    parser.add_argument("--clients", type=int, default=20, help="Concurrent clients (default 20).")
    parser.add_argument("--output", type=Path, help="Folder for results.json and RESULTS.md "
                        "(default: benchmarks/).")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = sections - set(SECTIONS)
    if unknown:
        print(f"Error: unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}",
              file=sys.stderr)
        return 2
    quick = args.quick
    rounds = args.rounds or (2 if quick else 5)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [1000, 10000] if quick else [1000, 10000, 100000])
    duration = args.duration or (10.0 if quick else 30.0)
    repeats = {"ingest": 1 if quick else 3, "reingest": 3 if quick else 5, "embed": 2 if quick else 3,
               "cold": 3, "http_rounds": 1 if quick else 2, "scale_queries": 50 if quick else 200}

    from . import baseline, cold_start, ingest_bench, latency, memory, replicas, report, scale

    started = time.perf_counter()
    notes = common.Notes()
    if quick:
        notes.add("--quick run: few repeats, not for comparison.")
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "make bench" if argv is None and len(sys.argv) == 1
        else "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv),
        "machine": common.machine(),
    }
    questions = common.golden_questions()
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        workdir = Path(tmp)
        main_settings = common.bench_settings(workdir / "main")
        results["embedding_model"] = main_settings.answer.embedding_model
        results["model_load_s"] = round(ingest_bench.load_model(main_settings.answer.embedding_model), 3)

        assistant, ingest_figures = ingest_bench.full_ingest(workdir, repeats["ingest"])
        if "ingest" in sections:
            results.update(ingest_figures)
            results.update(ingest_bench.reingest_unchanged(assistant, repeats["reingest"]))
            results.update(ingest_bench.embedding_throughput(assistant, repeats["embed"]))

        naive = None
        if {"latency", "accuracy"} & sections:
            if baseline.naive_available():
                naive = baseline.make_naive(main_settings)
            else:
                notes.add("assistant/evaluation/naive.py is missing: no baseline figures.")
        if "latency" in sections:
            figures = latency.measure(assistant, questions, rounds, naive)
            results["ask_ms"] = figures["ask_ms"]
            results["ask_breakdown_ms"] = figures["ask_breakdown_ms"]
            if naive is not None:
                results.setdefault("baseline", {})["ask_ms"] = figures["baseline_ask_ms"]
                results["latency_ratio_naive_over_default"] = figures["latency_ratio_naive_over_default"]
        if "accuracy" in sections:
            evals = baseline.accuracy(assistant, naive, notes)
            if "default" in evals:
                results["accuracy"] = evals["default"]["accuracy"]
                results["eval"] = {"default": evals["default"]}
            if "naive" in evals:
                results.setdefault("baseline", {}).update(
                    {"accuracy": evals["naive"]["accuracy"], "eval": evals["naive"]})
        if "cold" in sections:
            results.update(cold_start.measure(main_settings, workdir, repeats["cold"]))
            results.update(cold_start.measure_serve(main_settings, workdir, repeats["cold"]))
        if "serve" in sections:
            results.update(memory.measure(main_settings, workdir, questions, repeats["http_rounds"],
                                          args.clients, duration, notes))
        del assistant, naive
        if "scale" in sections:
            server_sizes = frozenset(int(s) for s in args.server_sizes.split(",") if s.strip())
            results.update(scale.measure(sizes, workdir, questions, repeats["scale_queries"],
                                         args.scale_dir, server_sizes))
        if "replicas" in sections:
            results["replicas"] = replicas.measure(workdir, questions, 5.0 if quick else 15.0,
                                                   100 if quick else 500)

    results["total_s"] = round(time.perf_counter() - started, 1)
    results["load_average_at_end"] = common.load_average()
    if results["total_s"] > BUDGET_S and not quick:
        notes.add(f"the run took {results['total_s']} s, over the {BUDGET_S} s budget.")
    missing = report.missing_keys(results)
    if missing and not quick:
        notes.add(f"figures not measured in this run: {', '.join(missing)}.")
    results["notes"] = notes.lines
    out = args.output or common.BENCH_DIR
    out.mkdir(parents=True, exist_ok=True)
    report.write(results, notes.lines, out / "results.json", out / "RESULTS.md")
    print(report.plain_table(results))
    print(f"\n{results['total_s']} s; written to {out / 'results.json'} and {out / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
