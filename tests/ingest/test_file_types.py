"""One table of file types (``models.FILE_TYPES``): ingest's readers and content check, the upload's type
check, the file discovery and the page's file picker all read it, so a new type is one row."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assistant.errors import LoadError, UploadError
from assistant.ingest import loaders
from assistant.ingest.run import discover
from assistant.ingest.uploads import check_type
from assistant.models import DOCUMENT_SUFFIXES, FILE_TYPES, FileType
from assistant.settings import PROJECT_ROOT


def test_the_table_is_well_formed() -> None:
    suffixes = [t.suffix for t in FILE_TYPES]
    assert len(set(suffixes)) == len(suffixes)
    assert all(s.startswith(".") and s == s.lower() for s in suffixes)
    assert tuple(suffixes) == DOCUMENT_SUFFIXES


def test_ingest_reads_every_type_of_the_table_and_only_those() -> None:
    assert set(loaders._LOADERS) == set(DOCUMENT_SUFFIXES)
    assert {t.reader for t in FILE_TYPES} == set(loaders.READERS)  # no reader without a type
    assert all(loaders._LOADERS[t.suffix] is loaders.READERS[t.reader] for t in FILE_TYPES)
    assert {t.suffix: t.magic for t in FILE_TYPES if t.magic} == loaders._MAGIC


@pytest.mark.parametrize("file_type", [t for t in FILE_TYPES if t.magic], ids=lambda t: t.suffix)
def test_content_that_is_not_of_its_type_is_refused(file_type: FileType, tmp_path: Path) -> None:
    suffix = file_type.suffix
    path = tmp_path / f"impostor{suffix}"
    path.write_bytes(b"plain text pretending to be something else\n")
    with pytest.raises(LoadError, match=f"content is not a \\{suffix} file"):
        loaders.load_document(path, 1_000_000)


@pytest.mark.parametrize("suffix", DOCUMENT_SUFFIXES)
def test_the_upload_and_the_discovery_accept_every_type(suffix: str, tmp_path: Path) -> None:
    assert check_type(f"Notes{suffix.upper()}") == f"Notes{suffix}"
    (tmp_path / f"notes{suffix}").write_bytes(b"x")
    found, skipped = discover([tmp_path])
    assert [p.name for p in found] == [f"notes{suffix}"] and skipped == []


@pytest.mark.parametrize("name", ["notes.doc", "notes.exe", "notes", "notes.pdf.exe"])
def test_the_upload_refuses_other_types_naming_the_table(name: str) -> None:
    with pytest.raises(UploadError) as refused:
        check_type(name)
    assert ", ".join(DOCUMENT_SUFFIXES) in str(refused.value)


def test_no_other_list_of_suffixes_in_the_package() -> None:
    """A tuple, list, set or dict of two or more document suffixes anywhere but the table is a copy that will drift."""
    copies = []
    for path in sorted((PROJECT_ROOT / "assistant").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", [])
            if isinstance(node, (ast.Tuple, ast.Set, ast.List, ast.Dict)):
                named = [e.value for e in items if isinstance(e, ast.Constant) and e.value in DOCUMENT_SUFFIXES]
                if len(named) >= 2:
                    copies.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert copies == []
