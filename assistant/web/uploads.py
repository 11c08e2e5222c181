"""Admin upload: check a document's type and size, store it safely, ingest it incrementally."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from pydantic import BaseModel

from ..api import Assistant
from ..ingest import IngestReport
from ..loaders import LoadError, load_document, slugify
from ..settings import Settings
from ..store import IndexUnavailable

ALLOWED_SUFFIXES = (".md", ".txt", ".html", ".pdf", ".docx")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_COPY_BLOCK = 1 << 16
_MAX_NAME = 120


class UploadError(ValueError):
    """The upload was refused; the message is one plain sentence for the user."""


class UploadTooLarge(UploadError):
    pass


class UploadResult(BaseModel):
    file: str
    path: str
    message: str
    report: IngestReport


def safe_name(original: str) -> str:
    """A plain file name from whatever the browser sent: no folders, no dot files, no odd characters."""
    name = PureWindowsPath(PurePosixPath(original or "").name).name
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = _UNSAFE.sub("-", stem).strip("-._")[:_MAX_NAME] or "document"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def check_type(original: str) -> str:
    name = safe_name(original)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadError(
            f"'{original or 'the file'}' is not a supported document type; "
            f"upload one of: {', '.join(ALLOWED_SUFFIXES)}."
        )
    return name


def save_and_ingest(settings: Settings, assistant: Assistant, source: BinaryIO,
                    original: str) -> UploadResult:
    """Copy the upload next to the others, check it loads, then ingest just that file.

    The copy goes to a temporary name first, so a failed or oversized upload never replaces
    an earlier document of the same name.
    """
    name = check_type(original)
    limit = settings.upload_max_bytes
    folder = settings.upload_dir
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".upload-", suffix=Path(name).suffix, dir=folder)
    temp_path = Path(temporary)
    try:
        written = 0
        with os.fdopen(handle, "wb") as target:
            while block := source.read(_COPY_BLOCK):
                written += len(block)
                if written > limit:
                    raise UploadTooLarge(f"'{name}' is larger than the {_megabytes(limit)} upload limit.")
                target.write(block)
        if written == 0:
            raise UploadError(f"'{name}' is empty.")
        try:
            document = load_document(temp_path, limit, doc_id=slugify(Path(name).stem))
        except LoadError as error:
            reason = str(error).replace(f"{temp_path.name}: ", "")
            raise UploadError(f"'{name}' could not be read: {reason}.") from None
        final = folder / name
        _check_own_id(assistant, document.doc_id, final, name)
        replaced = final.exists()
        os.replace(temp_path, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp_path.unlink()
    report = assistant.ingest([final])
    if report.skipped:
        raise UploadError(f"'{name}' was not indexed: {report.skipped[0].reason}")
    if report.files_changed == 0:
        message = f"'{name}' is already in the index, unchanged."
    else:
        message = (f"'{name}' {'updated' if replaced else 'added'}: {report.chunks_embedded} passages "
                   f"embedded, {report.chunks_total} in the index. It can be cited right away.")
    return UploadResult(file=name, path=str(final), report=report, message=message)


def _check_own_id(assistant: Assistant, doc_id: str, final: Path, name: str) -> None:
    """An upload may replace its own earlier version, never another document cited under that id."""
    try:
        chunks = assistant.retriever().chunks
    except IndexUnavailable:
        return
    owner = next((Path(c.path) for c in chunks if c.doc_id == doc_id and Path(c.path) != final.resolve()), None)
    if owner is not None:
        raise UploadError(f"'{name}' has the document id '{doc_id}' of {owner.name}, already in the index; "
                          "give it its own id (the 'id' of its front matter, or its file name).")


def save_path_and_ingest(settings: Settings, assistant: Assistant, path: Path, original: str) -> UploadResult:
    """The page's upload widget hands over a file already on disk."""
    check_type(original)
    if path.stat().st_size > settings.upload_max_bytes:
        raise UploadTooLarge(f"'{safe_name(original)}' is larger than the "
                          f"{_megabytes(settings.upload_max_bytes)} upload limit.")
    with path.open("rb") as source:
        return save_and_ingest(settings, assistant, source, original)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"
