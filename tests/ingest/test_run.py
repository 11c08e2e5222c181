import shutil
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.index.embeddings import load_embeddings
from assistant.index.store import IndexStore
from assistant.ingest.run import ingest
from tests.support import CORPUS, make_settings

FILES = ["facts/kenya-bpo.en.md", "facts/ghana-outsourcing.en.md", "facts/egypt-outsourcing.fr.md"]


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in FILES:
        shutil.copy(CORPUS / name, corpus / Path(name).name)
    return corpus


def make_store(tmp_path: Path, corpus: Path) -> tuple[IndexStore, object]:
    settings = make_settings(tmp_path, corpus_dir=corpus)
    return IndexStore(settings, load_embeddings(settings.answer.embedding_model)), settings


def chunk_ids(store: IndexStore) -> dict[str, set[str]]:
    by_doc: dict[str, set[str]] = {}
    for chunk in store.live_chunks():
        by_doc.setdefault(chunk.doc_id, set()).add(chunk.id)
    return by_doc


def test_incremental_ingest_embeds_only_what_changed(tmp_path: Path, small_corpus: Path) -> None:
    store, settings = make_store(tmp_path, small_corpus)
    first = ingest(settings, store, progress=False)  # type: ignore[arg-type]
    assert first.files_changed == 3 and first.chunks_embedded == first.chunks_total > 0
    before = chunk_ids(store)

    again = ingest(settings, store, progress=False)  # type: ignore[arg-type]
    assert again.chunks_embedded == 0 and not again.published
    assert chunk_ids(store) == before

    kenya = small_corpus / "kenya-bpo.en.md"
    kenya.write_text(kenya.read_text() + "\nKenya added a new paragraph about call centres in Mombasa.\n")
    changed = ingest(settings, store, progress=False)  # type: ignore[arg-type]
    after = chunk_ids(store)
    assert changed.files_changed == 1 and changed.files_unchanged == 2
    assert changed.chunks_embedded == len(after["kenya-bpo-en"])
    assert after["ghana-outsourcing-en"] == before["ghana-outsourcing-en"]
    assert after["egypt-outsourcing-fr"] == before["egypt-outsourcing-fr"]
    assert any("Mombasa" in c.text for c in store.live_chunks())

    (small_corpus / "ghana-outsourcing.en.md").unlink()
    removed = ingest(settings, store, progress=False)  # type: ignore[arg-type]
    assert removed.files_deleted == 1 and removed.chunks_embedded == 0
    assert "ghana-outsourcing-en" not in chunk_ids(store)


def test_bad_files_are_skipped_and_the_rest_ingested(tmp_path: Path, small_corpus: Path) -> None:
    (small_corpus / "empty.md").write_text("")
    (small_corpus / "blob.txt").write_bytes(b"\x00\x01binary")
    (small_corpus / "photo.png").write_bytes(b"\x89PNG")
    store, settings = make_store(tmp_path, small_corpus)
    report = ingest(settings, store, progress=False)  # type: ignore[arg-type]
    reasons = " | ".join(s.reason for s in report.skipped)
    assert "empty.md: empty file" in reasons
    assert "blob.txt: binary content" in reasons
    assert "photo.png: unsupported file type" in reasons
    assert report.files_changed == 3 and set(chunk_ids(store)) == {
        "kenya-bpo-en", "ghana-outsourcing-en", "egypt-outsourcing-fr"}


def test_a_failed_ingest_leaves_the_previous_index_answering(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, corpus_dir=small_corpus)
    assistant = Assistant(settings)
    assistant.ingest()
    before = assistant.ask("How many people work in Kenya's BPO sector?")
    assert not before.refused

    (small_corpus / "morocco.md").write_text((CORPUS / "facts/morocco-offshoring.en.md").read_text())
    calls = {"n": 0}
    original = assistant.embeddings.embed_documents

    def failing(texts: list[str]) -> list[list[float]]:
        calls["n"] += 1
        raise RuntimeError("embedding service died halfway")

    monkeypatch.setattr(assistant.embeddings, "embed_documents", failing)
    with pytest.raises(RuntimeError):
        assistant.ingest()
    assert calls["n"] == 1
    monkeypatch.setattr(assistant.embeddings, "embed_documents", original)

    fresh = Assistant(settings)
    after = fresh.ask("How many people work in Kenya's BPO sector?")
    assert after.answer == before.answer and after.citations == before.citations
    assert "morocco-offshoring-en" not in {c.doc_id for c in fresh.store.live_chunks()}
    generations = [c.name for c in fresh.store.client.list_collections() if "-g" in c.name]
    assert len(generations) == 1  # the half-written generation was dropped

    report = fresh.ingest()
    assert report.published and "morocco-offshoring-en" in {c.doc_id for c in fresh.store.live_chunks()}


def test_an_uploaded_file_outside_the_corpus_is_kept_by_a_corpus_ingest(
    tmp_path: Path, small_corpus: Path
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    shutil.copy(CORPUS / "facts/morocco-offshoring.en.md", uploads / "morocco.md")
    settings = make_settings(tmp_path, corpus_dir=small_corpus)
    assistant = Assistant(settings)
    assistant.ingest()
    assistant.ingest([uploads / "morocco.md"])
    assistant.ingest()
    assert "morocco-offshoring-en" in {c.doc_id for c in assistant.store.live_chunks()}
