"""A generation's retrieval files: written whole at publish, mapped at start, rebuilt once when unusable."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant.answer.extractive import ExtractiveAnswerer
from assistant.answer.sentence_vectors import SentenceEmbeddingCache, corpus_sentences
from assistant.api import Assistant
from assistant.evaluation.dataset import load_dataset
from assistant.retrieval import generation_files, passage_arrays
from assistant.retrieval.generation_files import FORMAT_VERSION, folder_of, open_files, open_sentences
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import Settings
from tests.index.test_mapped_bm25 import is_mapped
from tests.support import CORPUS, make_settings

DOCUMENTS = ("facts/gartner-headcount-survey.en.md", "facts/kenya-bpo.en.md")
LATER = "facts/ghana-outsourcing.en.md"


def small_index(tmp_path: Path, *documents: str) -> Settings:
    corpus = tmp_path / "corpus"
    for name in documents:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, corpus / name)
    return make_settings(tmp_path, corpus_dir=corpus)


def leftovers(settings: Settings) -> list[str]:
    return sorted(p.name for p in generation_files.files_root(settings).iterdir() if p.name.startswith("."))


def test_the_mapped_retriever_answers_as_one_built_from_chroma(assistant: Assistant) -> None:
    generation = assistant.store.live_generation()
    assert generation is not None
    mapped = assistant.retriever()
    assert is_mapped(mapped.arrays.bm25.rows) and is_mapped(mapped.arrays.vectors)
    rebuilt = HybridRetriever(assistant.store.live_chunks(generation), assistant.store.collection(generation),
                              assistant.settings)
    assert list(mapped.chunks) == list(rebuilt.chunks)
    for record in load_dataset().records[:30]:
        vector = assistant.embeddings.embed_query(record.question)
        got = mapped.retrieve(record.question, vector, prefer_language="en")
        expected = rebuilt.retrieve(record.question, vector, prefer_language="en")
        assert [(s.chunk, s.score, s.dense_rank, s.lexical_rank) for s in got] == \
               [(s.chunk, s.score, s.dense_rank, s.lexical_rank) for s in expected], record.question


def test_publishing_writes_the_files_whole_and_removes_the_older_generations(tmp_path: Path) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    assistant = Assistant(settings)
    first = assistant.ingest().generation
    (generation_files.files_root(settings) / f".{first}.killed").mkdir()  # a writer killed mid-way
    shutil.copy(CORPUS / LATER, settings.corpus_dir / "later.md")
    second = assistant.ingest().generation
    assert first and second and first != second
    manifest = json.loads((folder_of(settings, second) / "manifest.json").read_text())
    assert manifest["format"] == FORMAT_VERSION and manifest["generation"] == second
    assert not folder_of(settings, first).exists() and leftovers(settings) == []
    assert open_files(settings, second).rows == len(assistant.retriever().chunks)


def test_a_failed_write_leaves_no_folder_and_the_live_generation_answering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    assistant = Assistant(settings)
    live = assistant.ingest().generation
    shutil.copy(CORPUS / LATER, settings.corpus_dir / "later.md")
    real_save = passage_arrays.save

    def half_written(arrays: passage_arrays.PassageArrays, folder: Path) -> dict[str, list[int]]:
        real_save(arrays, folder)
        raise OSError("disk full")

    monkeypatch.setattr(generation_files, "save", half_written)
    with pytest.raises(OSError, match="disk full"):
        assistant.ingest()
    assert assistant.store.live_generation() == live
    assert sorted(p.name for p in generation_files.files_root(settings).iterdir()) == [live]
    assert open_files(settings, str(live)).rows > 0


@pytest.mark.parametrize("damage", ["missing", "old format", "cut short", "manifest garbage"])
def test_unusable_files_are_rebuilt_once_not_served(tmp_path: Path, damage: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    generation = str(Assistant(settings).ingest().generation)
    folder = folder_of(settings, generation)
    expected = [c.id for c in open_files(settings, generation).passages()]
    manifest = folder / "manifest.json"
    if damage == "missing":
        shutil.rmtree(folder)
    elif damage == "old format":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": "passage-arrays/0"}))
    elif damage == "cut short":
        postings = folder / "posting_weights.npy"
        postings.write_bytes(postings.read_bytes()[:-40])
    else:
        manifest.write_text("{not json")
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.generation_files"):
        retriever = Assistant(settings).retriever()
    assert [c.id for c in retriever.chunks] == expected
    assert sum("rebuilding its retrieval files" in r.getMessage() for r in caplog.records) == 1
    assert open_files(settings, generation).rows == len(expected)  # the folder is whole again
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.generation_files"):
        Assistant(settings).retriever()
    assert not caplog.records  # rebuilt once: the next start maps


def test_an_unwritable_folder_serves_from_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    generation = str(Assistant(settings).ingest().generation)
    shutil.rmtree(folder_of(settings, generation))

    def refuse(*_: object) -> Path:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(generation_files, "write_files", refuse)
    retriever = Assistant(settings).retriever()
    assert len(retriever.chunks) > 0 and retriever.arrays.vectors is not None


_SECOND_PROCESS = textwrap.dedent("""
    import logging, sys
    from pathlib import Path
    from assistant.api import Assistant
    from tests.support import make_settings
    from tests.index.test_mapped_bm25 import is_mapped
    logging.basicConfig(level=logging.WARNING, stream=sys.stdout)
    assistant = Assistant(make_settings(Path(sys.argv[1]), corpus_dir=Path(sys.argv[2])))
    print("first", assistant.retriever().arrays.rows, flush=True)
    sys.stdin.readline()  # the other process publishes a new generation meanwhile
    assistant._checked_at = 0.0  # as when the pointer check interval has passed
    retriever = assistant.retriever()
    print("second", retriever.arrays.rows, is_mapped(retriever.arrays.bm25.rows), "chromadb" in sys.modules,
          flush=True)
""")


def test_a_second_process_maps_the_generation_another_one_published(tmp_path: Path) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    publisher = Assistant(settings)
    publisher.ingest()
    before = len(publisher.retriever().chunks)
    child = subprocess.Popen([sys.executable, "-c", _SECOND_PROCESS, str(tmp_path), str(settings.corpus_dir)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().split() == ["first", str(before)]
        shutil.copy(CORPUS / LATER, settings.corpus_dir / "later.md")
        publisher.ingest()
        after = len(publisher.retriever().chunks)
        assert after > before
        child.stdin.write("go\n")
        child.stdin.flush()
        output = child.stdout.read()
    finally:
        child.wait(timeout=120)
    assert child.returncode == 0
    # mapped (no rebuild line either), found through the pointer file: Chroma never imported
    assert output.split() == ["second", str(after), "True", "False"], output


def test_documents_and_their_passages_come_from_the_arrays_as_from_a_full_scan(assistant: Assistant) -> None:
    retriever = assistant.retriever()
    chunks = list(retriever.chunks)
    first: dict[str, str] = {}
    for chunk in chunks:
        first.setdefault(chunk.doc_id, chunk.id)
    documents = retriever.documents()
    assert [(c.doc_id, c.id) for c, _ in documents] == sorted(first.items())
    assert [n for _, n in documents] == [sum(c.doc_id == d for c in chunks) for d in sorted(first)]
    doc_id = documents[0][0].doc_id
    assert retriever.passages_of(doc_id) == [c for c in chunks if c.doc_id == doc_id]
    assert retriever.passages_of("no-such-document") == []


def test_a_generation_keeps_its_sentence_vectors_and_a_new_process_embeds_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    publisher = Assistant(settings)
    first = str(publisher.ingest().generation)
    stored = open_sentences(settings, first)
    assert stored is not None
    texts = list(stored.texts)
    assert texts == sorted(set(corpus_sentences(publisher.retriever().chunks)))
    for text in texts[:5]:  # the vector an answer would embed alone, to the bit
        assert np.array_equal(stored.vector(text), SentenceEmbeddingCache(publisher.embeddings.embed_documents)
                              .vectors([text])[0])
    assert stored.vector("not a sentence of the corpus") is None

    embedded: list[str] = []
    real_embed = publisher.embeddings.embed_documents

    def counted(batch: list[str]) -> list[list[float]]:
        embedded.extend(batch)
        return real_embed(batch)

    monkeypatch.setattr(publisher.embeddings, "embed_documents", counted)
    shutil.copy(CORPUS / LATER, settings.corpus_dir / "later.md")
    second = str(publisher.ingest().generation)
    later = open_sentences(settings, second)
    assert later is not None and len(later.texts) > len(texts)
    assert set(embedded).isdisjoint(texts)  # the first generation's sentences were reused, not embedded again

    embedded.clear()
    fresh = Assistant(settings)  # a new process's first answer: every sentence vector read, none embedded
    fresh.sentence_vectors = SentenceEmbeddingCache(counted)
    fresh.answerer = ExtractiveAnswerer(fresh.sentence_vectors)
    answer = fresh.ask("How many jobs does Ghana's outsourcing sector employ?")
    assert answer.citations and embedded == []
    # ``serve``'s background preload has nothing to do either (it took 0.6 s of a start's CPU).
    assert fresh.preload_sentences() == 0 and embedded == []


def test_damaged_sentence_vectors_are_embedded_instead(tmp_path: Path) -> None:
    settings = small_index(tmp_path, *DOCUMENTS)
    generation = str(Assistant(settings).ingest().generation)
    expected = Assistant(settings).ask("What share of companies cut staff because of AI?")
    (folder_of(settings, generation) / "sentence_vectors.npy").write_bytes(b"damaged")
    assert open_sentences(settings, generation) is None
    again = Assistant(settings)
    answer = again.ask("What share of companies cut staff because of AI?")
    assert answer.answer == expected.answer and answer.citations == expected.citations
    assert again.preload_sentences() > 0  # without stored vectors serve embeds them in the background
