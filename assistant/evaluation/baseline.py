"""The committed baseline: a past run, bound to the dataset, corpus and settings it was made with.

A baseline made with another golden set, other corpus files or other answer settings says
nothing about the current code, so it is never compared: the gate stops with a reason instead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from ..errors import BaselineError
from ..settings import PROJECT_ROOT
from .results import RunResult

DEFAULT_BASELINE = PROJECT_ROOT / "evals" / "baseline.json"
_UPDATE_HINT = "run `assistant eval --update-baseline` if the change is intended"


def corpus_hash(corpus_dir: Path) -> str:
    """sha256 over the bytes of every file ingest would read, with their paths in the corpus."""
    from ..ingest.run import discover  # imports Chroma: only when a hash is needed

    files, _ = discover([corpus_dir.resolve()])
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(corpus_dir.resolve()).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def save_baseline(run: RunResult, path: Path = DEFAULT_BASELINE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(run.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    temporary.replace(path)


def load_baseline(path: Path = DEFAULT_BASELINE) -> RunResult:
    try:
        return RunResult.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"there is no baseline at {path}; run `assistant eval --update-baseline`") from None
    except (OSError, ValidationError, ValueError) as error:
        raise BaselineError(f"the baseline {path} cannot be read ({error.__class__.__name__}); "
                            "run `assistant eval --update-baseline`") from error


def _changed_settings(before: dict[str, object], after: dict[str, object]) -> str:
    changes = [f"{key} {before.get(key)!r} -> {after.get(key)!r}"
               for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
    return ", ".join(changes[:6]) + (" ..." if len(changes) > 6 else "")


def check_comparable(baseline: RunResult, dataset_hash: str, corpus: str, settings_hash: str,
                     settings: dict[str, object]) -> None:
    """Raise ``BaselineError`` when the baseline was made with another dataset, corpus or settings."""
    if baseline.dataset_hash != dataset_hash:
        raise BaselineError(f"the golden set changed since the baseline (dataset hash "
                            f"{baseline.dataset_hash} -> {dataset_hash}); {_UPDATE_HINT}")
    if baseline.corpus_hash != corpus:
        raise BaselineError(f"the corpus files changed since the baseline (corpus hash "
                            f"{baseline.corpus_hash} -> {corpus}); {_UPDATE_HINT}")
    if baseline.settings_hash != settings_hash:
        changed = _changed_settings(baseline.settings, settings) or "fields added or removed"
        raise BaselineError(f"the answer settings differ from the baseline's (settings hash "
                            f"{baseline.settings_hash} -> {settings_hash}: {changed}); {_UPDATE_HINT}")
