"""Admin upload: file names, types and sizes are checked before anything reaches the index."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.errors import UploadError, UploadTooLarge
from assistant.ingest.run import IngestReport
from assistant.ingest.uploads import check_type, safe_name, save_and_ingest

DOC = (b"---\ntitle: Zephyr notes\nlanguage: en\n---\n\n# Zephyr\n\n"
       b"Project Zephyr moved 40 agents to AI review.\n")


class RecordingIngest:
    def __init__(self) -> None:
        self.ingested: list[list[Path]] = []

    def __call__(self, paths: list[Path]) -> IngestReport:
        self.ingested.append(paths)
        return IngestReport(files_seen=1, files_changed=1, chunks_embedded=1, chunks_total=9, published=True)


def nobody(doc_id: str) -> Path | None:
    return None  # nothing indexed: every document id is free


@pytest.mark.parametrize(("original", "expected"), [
    ("../../etc/passwd.md", "passwd.md"),
    ("..\\..\\windows\\evil.TXT", "evil.txt"),
    ("/abs/path/Rapport final (v2).pdf", "Rapport-final-v2.pdf"),
    (".hidden.md", "hidden.md"),
    ("Étude été.docx", "Etude-ete.docx"),
    ("", "document"),
    ("....md", "document.md"),
])
def test_safe_name_keeps_a_plain_name_inside_the_folder(original: str, expected: str) -> None:
    assert safe_name(original) == expected


@pytest.mark.parametrize("original", ["tool.exe", "page.htm.php", "archive.zip", "noextension", "x.md.sh"])
def test_unsupported_types_are_refused(original: str) -> None:
    with pytest.raises(UploadError, match="not a supported document type"):
        check_type(original)


def test_upload_is_saved_under_the_upload_dir_and_ingested(tmp_path: Path) -> None:
    folder, ingest = tmp_path / "uploads", RecordingIngest()
    result = save_and_ingest(io.BytesIO(DOC), "../zephyr.md", folder, 10_000_000, ingest, nobody)
    saved = tmp_path / "uploads" / "zephyr.md"
    assert saved.read_bytes() == DOC and ingest.ingested == [[saved]]
    assert "added" in result.message
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["zephyr.md"]  # no temp file left


def test_oversized_or_unreadable_upload_never_replaces_the_previous_file(tmp_path: Path) -> None:
    folder, ingest, limit = tmp_path / "uploads", RecordingIngest(), len(DOC) + 10
    save_and_ingest(io.BytesIO(DOC), "zephyr.md", folder, limit, ingest, nobody)
    with pytest.raises(UploadTooLarge, match="larger than"):
        save_and_ingest(io.BytesIO(DOC * 2), "zephyr.md", folder, limit, ingest, nobody)
    with pytest.raises(UploadError, match="could not be read"):
        save_and_ingest(io.BytesIO(b"not a pdf"), "zephyr.pdf", folder, limit, ingest, nobody)
    with pytest.raises(UploadError, match="empty"):
        save_and_ingest(io.BytesIO(b""), "zephyr.md", folder, limit, ingest, nobody)
    assert (tmp_path / "uploads" / "zephyr.md").read_bytes() == DOC
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["zephyr.md"]
    assert len(ingest.ingested) == 1
