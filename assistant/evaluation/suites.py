"""The eval suites: a golden set, the corpus it is asked over, and the baseline it is gated on.

- ``main``: ``evals/golden.yaml`` over the product corpus (``corpus_dir``), fact sheets written
  one self-contained fact per sentence, in English and French twins;
- ``natural``: ``evals/natural.yaml`` over ``evals/corpora/natural/``, used only by the evals:
  documents in the forms managers upload (news articles, press releases, interviews, a PDF
  report with a table, slide text, an FAQ, a memo, an HTML page with boilerplate), facts spread
  over several sentences, no twins.

Each suite is indexed into its own eval index, ``eval_index_dir/<suite>``, apart from the
served index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import EvalFailure
from ..settings import PROJECT_ROOT, Settings

EVALS = PROJECT_ROOT / "evals"


@dataclass(frozen=True)
class Suite:
    name: str
    dataset: Path
    baseline: Path
    corpus_dir: Path | None = None  # None: the settings' corpus_dir

    def settings(self, settings: Settings) -> Settings:
        """The same answer settings, over this suite's corpus and its own eval index."""
        return settings.with_changes(corpus_dir=self.corpus_dir or settings.corpus_dir,
                                     index_dir=settings.eval.index_dir / self.name)


SUITES: dict[str, Suite] = {
    "main": Suite("main", EVALS / "golden.yaml", EVALS / "baseline.json"),
    "natural": Suite("natural", EVALS / "natural.yaml", EVALS / "baseline-natural.json",
                     EVALS / "corpora" / "natural"),
}


def select_suites(names: list[str] | None, dataset: Path | None = None, baseline: Path | None = None,
                  corpus: Path | None = None) -> list[Suite]:
    """The suites to run: the named ones (default: all). ``dataset``, ``baseline`` or ``corpus``
    replace the paths of a single suite (``main`` when none is named)."""
    chosen = names or (["main"] if dataset or baseline or corpus else list(SUITES))
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        raise EvalFailure(f"unknown suite '{unknown[0]}' (known: {', '.join(SUITES)})")
    suites = [SUITES[name] for name in dict.fromkeys(chosen)]
    if dataset or baseline or corpus:
        if len(suites) != 1:
            raise EvalFailure("--dataset, --baseline and --corpus apply to one suite: name it with --suite")
        suite = suites[0]
        suites = [Suite(suite.name, dataset or suite.dataset, baseline or suite.baseline,
                        corpus or suite.corpus_dir)]
    return suites
