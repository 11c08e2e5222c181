"""The corpus tab's core: a document's passages, withdrawing one (the index drops it, nothing else is
lost; it stays out across ingests and a rebuild), restoring it, and the last ingest's report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.errors import UnknownDocument, UploadError
from assistant.settings import PROJECT_ROOT
from tests.support import make_settings

FILES = ("gartner-headcount-survey.en.md", "kenya-bpo.en.md", "gartner-rehire-prediction.en.md")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    tmp = tmp_path_factory.mktemp("corpus-tab")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name in FILES:
        (corpus / name).write_text((PROJECT_ROOT / "corpus" / "facts" / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    (corpus / "empty.md").write_text("", encoding="utf-8")
    assistant = Assistant(make_settings(tmp, corpus_dir=corpus))
    assistant.ingest()
    return assistant


def test_a_document_opens_with_its_passages_in_order(small: Assistant) -> None:
    doc_id = small.index_info().documents[0].doc_id
    view = small.workflow().document(doc_id)
    assert view is not None and view.info.doc_id == doc_id and len(view.passages) == view.info.passages
    starts = [p.paragraph_start for p in view.passages]
    assert starts == sorted(starts) and all(p.doc_id == doc_id for p in view.passages)
    assert small.workflow().document("no-such-document") is None


def test_the_last_ingest_report_says_which_files_were_skipped_and_why(small: Assistant) -> None:
    last = small.workflow().last_ingest()
    assert last is not None and last.published
    assert [(Path(path).name, "empty" in reason) for path, reason in last.skipped] == [("empty.md", True)]
    assert "3 new or changed" in last.summary and "1 skipped" in last.summary


def test_a_withdrawn_document_leaves_the_index_and_stays_out(small: Assistant) -> None:
    before = small.index_info()
    target = next(d for d in before.documents if "Kenya" in d.title)
    message = small.workflow().withdraw(target.doc_id, by="admin")
    assert f"'{target.title}' was withdrawn" in message
    after = small.index_info()
    assert after.document(target.doc_id) is None
    assert {d.doc_id for d in after.documents} == {d.doc_id for d in before.documents} - {target.doc_id}
    assert after.passages == before.passages - target.passages
    assert Path(target.path).exists()  # the file is kept
    last = small.workflow().last_ingest()
    assert last is not None and last.withdrawn == [target.doc_id] and last.counts["chunks_embedded"] == 0
    assert [w.doc_id for w in small.workflow().withdrawn()] == [target.doc_id]
    assert small.workflow().withdrawn()[0].by == "admin"
    assert not any(c.doc_id == target.doc_id for c in small.ask("How many people work in BPO in Kenya?").citations)

    small.ingest()  # a plain ingest of the corpus folder leaves it out
    assert small.index_info().document(target.doc_id) is None
    small.ingest(rebuild=True)  # and so does a rebuild
    assert small.index_info().document(target.doc_id) is None
    with pytest.raises(UploadError, match="withdrew"):
        small.add_document(io.BytesIO(Path(target.path).read_bytes()), Path(target.path).name)

    assert "is back in the index" in small.workflow().restore(target.doc_id)
    restored = small.index_info().document(target.doc_id)
    assert restored is not None and restored.passages == target.passages
    assert small.workflow().withdrawn() == []
    with pytest.raises(UnknownDocument):
        small.workflow().restore(target.doc_id)
    with pytest.raises(UnknownDocument):
        small.workflow().withdraw("no-such-document")


def test_the_corpus_facade_finds_the_documents_nearest_a_question(small: Assistant) -> None:
    corpus = small.corpus()
    vector = corpus.embed_question("How many jobs does Kenya's BPO sector employ?")
    nearest = corpus.nearest_documents(vector, 2)
    assert len(nearest) == 2 and nearest[0][0].startswith("kenya-bpo") and nearest[0][2] >= nearest[1][2]
    titles = {d.doc_id: d.title for d in corpus.info().documents}
    assert all(titles[doc_id] == title for doc_id, title, _ in nearest)
    assert corpus.passages("no-such-document") == [] and corpus.unmark_withdrawn("no-such-document") is None
