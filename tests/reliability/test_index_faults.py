"""Faults around the index: a killed ingest, a corrupted or missing folder, concurrent writers."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.errors import IndexUnavailable
from assistant.storage.feedback import FeedbackStore
from tests.support import CORPUS, make_settings

pytestmark = pytest.mark.reliability
QUESTION = "How many jobs does Ghana's outsourcing plan aim to create?"


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("facts/ghana-outsourcing.en.md", "facts/kenya-bpo.en.md"):
        shutil.copy(CORPUS / name, corpus / Path(name).name)
    return corpus


KILLED_INGEST = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from assistant.api import Assistant
    from tests.support import make_settings
    settings = make_settings(Path(sys.argv[1]), corpus_dir=Path(sys.argv[2]))
    assistant = Assistant(settings)
    original = assistant.embeddings.embed_documents
    def slow(texts):
        vectors = original(texts)
        print("EMBEDDED", flush=True)
        time.sleep(60)   # the parent kills us here, after a batch went into the new generation
        return vectors
    assistant.embeddings.embed_documents = slow
    assistant.ingest()
""")


def test_an_ingest_killed_halfway_leaves_the_previous_index_answering(tmp_path: Path, small_corpus: Path) -> None:
    settings = make_settings(tmp_path, corpus_dir=small_corpus)
    before = Assistant(settings)
    before.ingest()
    expected = before.ask(QUESTION)
    assert not expected.refused

    for number in range(80):  # enough new text for several embedding batches
        (small_corpus / f"extra-{number}.md").write_text(
            f"# Extra {number}\n\nA note about contact centre number {number} in Accra and its staff.\n")
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_INGEST, str(tmp_path), str(small_corpus)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "EMBEDDED"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    survivor = Assistant(settings)
    answer = survivor.ask(QUESTION)
    assert answer.answer == expected.answer
    assert {c.doc_id for c in survivor.store.live_chunks()} == {"ghana-outsourcing-en", "kenya-bpo-en"}

    report = survivor.ingest()
    assert report.published and report.files_changed == 80
    assert len({c.doc_id for c in survivor.store.live_chunks()}) == 82
    generations = [c.name for c in survivor.store.client.list_collections() if "-g" in c.name]
    assert len(generations) == 1  # the killed ingest's half-written generation is gone


def test_a_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    assistant = Assistant(make_settings(tmp_path))
    with pytest.raises(IndexUnavailable, match="assistant ingest"):
        assistant.ask(QUESTION)


def test_a_corrupted_index_gives_a_clear_message_and_rebuild_recovers(tmp_path: Path, small_corpus: Path) -> None:
    settings = make_settings(tmp_path, corpus_dir=small_corpus)
    Assistant(settings).ingest()
    database = settings.index_dir / "chroma.sqlite3"
    database.write_bytes(b"this is not a database" * 100)

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")},
           "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_CORPUS_DIR": str(small_corpus),
           "ASSISTANT_UPLOAD_DIR": str(tmp_path / "uploads"),
           "HF_HUB_OFFLINE": "1"}
    cli = [sys.executable, "-m", "assistant.cli"]
    # The live generation's mapped files are intact: questions are still answered without Chroma.
    asked = subprocess.run([*cli, "ask", "--json", QUESTION], env=env, capture_output=True, text=True, timeout=300)
    assert asked.returncode == 0, asked.stderr
    assert '"refused": false' in asked.stdout
    # Anything that needs Chroma says how to recover.
    ingested = subprocess.run([*cli, "ingest"], env=env, capture_output=True, text=True, timeout=300)
    assert ingested.returncode == 2
    assert "assistant ingest --rebuild" in ingested.stderr and "Traceback" not in ingested.stderr
    # With the generation's files damaged too, a question cannot be answered either, and says so.
    for manifest in (settings.index_dir / "generations").glob("*/manifest.json"):
        manifest.write_text("{damaged")
    asked = subprocess.run([*cli, "ask", QUESTION], env=env, capture_output=True, text=True, timeout=300)
    assert asked.returncode == 2
    assert "assistant ingest --rebuild" in asked.stderr
    assert "Traceback" not in asked.stderr

    rebuilt = subprocess.run([*cli, "ingest", "--rebuild"], env=env, capture_output=True, text=True, timeout=300)
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = subprocess.run([*cli, "ask", "--json", QUESTION], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert '"refused": false' in again.stdout


def test_the_feedback_store_survives_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    stores = [FeedbackStore(path) for _ in range(4)]
    errors: list[BaseException] = []

    def write(store: FeedbackStore, worker: int) -> None:
        try:
            for number in range(50):
                store.record_feedback(1 if number % 2 else -1, f"q{worker}-{number}", "answer", [], "web")
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(stores[i % 4], i)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert FeedbackStore(path).count() == 400
