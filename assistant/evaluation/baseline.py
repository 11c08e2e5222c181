"""The committed baselines: a past run per suite, with the dataset, corpus and settings it was made with.

When the golden set, the corpus files or the answer settings differ from the baseline's, the
run is still compared, question by question, and what differs is named (``what_changed``):
a change must show its effect, not escape the gate.
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


def corpus_manifest(corpus_dir: Path) -> dict[str, str]:
    """Path in the corpus -> sha256 (16 hex) of every file ingest would read."""
    from ..ingest.run import discover  # imports Chroma: only when a hash is needed

    root = corpus_dir.resolve()
    files, _ = discover([root])
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(files)}


def corpus_hash(corpus_dir: Path) -> str:
    """sha256 over the bytes of every file ingest would read, with their paths in the corpus."""
    return manifest_hash(corpus_manifest(corpus_dir))


def manifest_hash(manifest: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for relative, file_digest in manifest.items():
        digest.update(relative.encode())
        digest.update(b"\0")
        digest.update(bytes.fromhex(file_digest))
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


def changed_settings(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return [f"{key} {before.get(key)!r} -> {after.get(key)!r}"
            for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]


def what_changed(baseline: RunResult, current: RunResult) -> list[str]:
    """One line per difference of dataset, corpus and settings between the two runs."""
    lines: list[str] = []
    if baseline.dataset_hash != current.dataset_hash:
        old, new = baseline.by_id(), current.by_id()
        added = [i for i in new if i not in old]
        removed = [i for i in old if i not in new]
        reworded = [i for i in new if i in old and old[i].question != new[i].question]
        edited = [i for i in new if i in old and i not in reworded and old[i].record_hash
                  and old[i].record_hash != new[i].record_hash]
        detail = "; ".join(part for part in (
            f"added {', '.join(added)}" if added else "",
            f"removed {', '.join(removed)}" if removed else "",
            f"question reworded: {', '.join(reworded)}" if reworded else "",
            f"facts or flags edited: {', '.join(edited)}" if edited else "",
        ) if part) or "records changed"
        lines.append(f"golden set changed ({baseline.dataset_hash} -> {current.dataset_hash}): {detail}")
    if baseline.corpus_hash != current.corpus_hash:
        detail = ""
        files_before, files_now = baseline.corpus_files, current.corpus_files
        if files_before and files_now:
            added = sorted(set(files_now) - set(files_before))
            removed = sorted(set(files_before) - set(files_now))
            edited = sorted(p for p in files_now if p in files_before and files_now[p] != files_before[p])
            detail = ": " + "; ".join(part for part in (
                f"added {', '.join(added[:8])}{' ...' if len(added) > 8 else ''}" if added else "",
                f"removed {', '.join(removed[:8])}" if removed else "",
                f"edited {', '.join(edited[:8])}" if edited else "",
            ) if part)
        lines.append(f"corpus files changed ({baseline.corpus_hash} -> {current.corpus_hash}){detail}")
    if baseline.settings_hash != current.settings_hash:
        changes = changed_settings(baseline.settings, current.settings) or ["fields added or removed"]
        lines.append(f"answer settings changed ({baseline.settings_hash} -> {current.settings_hash}): "
                     + ", ".join(changes))
    return lines
