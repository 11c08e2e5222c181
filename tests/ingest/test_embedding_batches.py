import os
import subprocess
import sys
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.index.embeddings import load_embeddings
from assistant.ingest.embedding_batches import MIN_BATCHES_FOR_WORKERS, _reloadable, embed_batches
from tests.support import CORPUS

MODEL = "use-multilingual"


def corpus_batches(count: int, size: int = 4) -> list[list[str]]:
    lines = [line for path in sorted(CORPUS.rglob("*.md"))[:12]
             for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 40]
    assert len(lines) >= count * size
    return [lines[i * size:(i + 1) * size] for i in range(count)]


class RecordingEmbeddings(Embeddings):
    """Not loadable by name: it must embed every batch itself, in this process."""

    def __init__(self) -> None:
        self.pids: list[int] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.pids.append(os.getpid())
        return [[float(len(text))] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(len(text))]


def test_worker_processes_give_the_same_vectors_in_the_same_order() -> None:
    batches = corpus_batches(MIN_BATCHES_FOR_WORKERS + 2)
    model = load_embeddings(MODEL)
    assert _reloadable(model, MODEL)  # so the workers, not this process, embed below
    in_process = [model.embed_documents(texts) for texts in batches]
    assert list(embed_batches(batches, model, MODEL, workers=2)) == in_process


def test_an_embedding_that_cannot_be_loaded_by_name_stays_in_process() -> None:
    batches = corpus_batches(MIN_BATCHES_FOR_WORKERS + 2)
    recording = RecordingEmbeddings()
    vectors = list(embed_batches(batches, recording, MODEL, workers=2))
    assert vectors == [[[float(len(t))] for t in texts] for texts in batches]
    assert recording.pids == [os.getpid()] * len(batches)


def test_few_batches_and_one_worker_stay_in_process() -> None:
    recording = RecordingEmbeddings()
    list(embed_batches(corpus_batches(MIN_BATCHES_FOR_WORKERS - 1), recording, MODEL, workers=2))
    list(embed_batches(corpus_batches(MIN_BATCHES_FOR_WORKERS), recording, MODEL, workers=1))
    assert len(recording.pids) == 2 * MIN_BATCHES_FOR_WORKERS - 1


def test_a_caller_that_stops_early_does_not_hang() -> None:
    batches = corpus_batches(MIN_BATCHES_FOR_WORKERS * 3)
    vectors = embed_batches(batches, load_embeddings(MODEL), MODEL, workers=2)
    first = next(vectors)
    vectors.close()  # what happens when writing a batch to the index fails
    assert len(first) == len(batches[0])


UNGUARDED_SCRIPT = """
import sys
from pathlib import Path
from assistant.api import Assistant
from assistant.settings import Settings
folder, corpus = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings.isolated(index_dir=folder / "index", feedback_db=folder / "f.sqlite3", corpus_dir=corpus, llm="")
print(Assistant(settings).ingest().summary(), flush=True)
"""


def test_a_script_without_a_main_guard_still_ingests(tmp_path: Path) -> None:
    # Spawned workers re-run such a script: their ingest must fail at once (not wait on the lock
    # the parent holds), and the parent then embeds in process.
    script = tmp_path / "script.py"
    script.write_text(UNGUARDED_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, str(script), str(tmp_path), str(CORPUS)], capture_output=True,
                          text=True, timeout=600, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "chunks embedded" in done.stdout and "0 chunks embedded" not in done.stdout
