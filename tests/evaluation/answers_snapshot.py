"""Build an eval index from scratch and print every answer with its citations, one JSON line per
question: the determinism test runs this in fresh processes and compares the outputs.

Usage: python -m tests.evaluation.answers_snapshot INDEX_DIR SUITE [EVERY]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.api import Assistant
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.gate_flow import current_settings
from assistant.evaluation.suites import SUITES


def main(index_dir: str, suite_name: str, every: int = 1) -> None:
    suite = SUITES[suite_name]
    settings = suite.settings(current_settings()).with_changes(index_dir=Path(index_dir))
    assistant = Assistant(settings)
    assistant.ingest()
    for record in load_dataset(suite.dataset).records[::every]:
        answer = assistant.ask(record.question, list(record.history))
        print(json.dumps({"id": record.id, "answer": answer.answer, "refused": answer.refused,
                          "citations": [(c.n, c.chunk_id, c.quote_start, c.quote) for c in answer.citations],
                          "retrieved": [s.chunk.id for s in answer.retrieved]}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1)
