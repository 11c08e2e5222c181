"""The live pointer file of an embedded index: written at publish, kept in step with Chroma's pointer,
read by a start instead of Chroma."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.api import Assistant
from assistant.index.live_pointer import pointer_path, read_live, write_live
from assistant.index.store import IndexStore
from assistant.settings import Settings
from tests.support import CORPUS, make_settings

DOCUMENT = "facts/kenya-bpo.en.md"
LATER = "facts/ghana-outsourcing.en.md"


def small_index(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / DOCUMENT, corpus / "kenya.md")
    return make_settings(tmp_path, corpus_dir=corpus)


def chroma_pointer(assistant: Assistant) -> str | None:
    return assistant.store._chroma_live_generation()


def test_publishing_writes_the_file_beside_chromas_pointer(tmp_path: Path) -> None:
    settings = small_index(tmp_path)
    assistant = Assistant(settings)
    first = assistant.ingest().generation
    assert read_live(settings, assistant.store.name) == chroma_pointer(assistant) == first
    shutil.copy(CORPUS / LATER, settings.corpus_dir / "ghana.md")
    second = assistant.ingest().generation
    assert second != first
    assert read_live(settings, assistant.store.name) == chroma_pointer(assistant) == second
    assert [p.name for p in settings.index_dir.iterdir() if p.name.startswith(".")] == [".ingest.lock"]


def test_without_the_file_chroma_answers_and_the_next_ingest_writes_it(tmp_path: Path) -> None:
    settings = small_index(tmp_path)
    live = Assistant(settings).ingest().generation
    name = IndexStore(settings, Assistant(settings).embeddings).name
    pointer_path(settings, name).unlink()  # an index built before the file existed
    assert Assistant(settings).store.live_generation() == live
    report = Assistant(settings).ingest()  # nothing changed: no new generation, the file put back
    assert not report.published and read_live(settings, name) == live


def test_a_file_out_of_step_is_put_right_by_the_next_ingest(tmp_path: Path) -> None:
    settings = small_index(tmp_path)
    assistant = Assistant(settings)
    live = assistant.ingest().generation
    name = assistant.store.name
    write_live(settings, name, f"{name}-g1")  # a publish killed between Chroma's write and the file's
    assert Assistant(settings).store.live_generation() == f"{name}-g1"
    Assistant(settings).ingest()
    assert read_live(settings, name) == live


def test_an_unreadable_or_foreign_file_is_not_believed(tmp_path: Path) -> None:
    settings = small_index(tmp_path)
    assistant = Assistant(settings)
    live = assistant.ingest().generation
    path = pointer_path(settings, assistant.store.name)
    for content in ("{cut", '{"format": "live-pointer/0", "generation": "x"}',
                    '{"format": "live-pointer/1", "generation": "another-index-g1"}'):
        path.write_text(content)
        assert read_live(settings, assistant.store.name) is None
        assert Assistant(settings).store.live_generation() == live  # Chroma's pointer answers


def test_a_chroma_server_index_writes_no_file(tmp_path: Path) -> None:
    settings = small_index(tmp_path).with_changes(chroma_host="127.0.0.1")
    store = IndexStore(settings, Assistant(settings).embeddings, client=object())  # type: ignore[arg-type]
    store._write_live_file(f"{store.name}-g1")
    assert not pointer_path(settings, store.name).exists()
