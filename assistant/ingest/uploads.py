"""Admin upload: check a document's type and size, store it safely, ingest it incrementally.

Front ends reach this through ``Assistant.add_document``."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from pydantic import BaseModel

from ..errors import LoadError, UploadError, UploadTooLarge
from ..models import DOCUMENT_SUFFIXES
from .loaders import load_document, slugify
from .run import IngestReport

Ingest = Callable[[list[Path]], IngestReport]
OwnerOf = Callable[[str], Path | None]  # the file already indexed under a doc id, if any
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_COPY_BLOCK = 1 << 16
_MAX_NAME = 120


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
    if suffix not in DOCUMENT_SUFFIXES:
        raise UploadError(
            f"'{original or 'the file'}' is not a supported document type; "
            f"upload one of: {', '.join(DOCUMENT_SUFFIXES)}."
        )
    return name


def save_and_ingest(source: BinaryIO, original: str, folder: Path, limit: int,
                    ingest: Ingest, owner_of: OwnerOf) -> UploadResult:
    """Copy the upload next to the others, check it loads, then ingest just that file.

    The copy goes to a temporary name first, so a failed or oversized upload never replaces
    an earlier document of the same name.
    """
    name = check_type(original)
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
        owner = owner_of(document.doc_id)
        # An upload may replace its own earlier version, never another document cited under that id.
        if owner is not None and owner != final.resolve():
            raise UploadError(f"'{name}' has the document id '{document.doc_id}' of {owner.name}, already in "
                              "the index; give it its own id (the 'id' of its front matter, or its file name).")
        replaced = final.exists()
        os.replace(temp_path, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp_path.unlink()
    report = ingest([final])
    if report.skipped:
        raise UploadError(f"'{name}' was not indexed: {report.skipped[0].reason}")
    if report.withdrawn:
        raise UploadError(f"'{name}' was not indexed: an administrator withdrew the document "
                          f"'{report.withdrawn[0]}'; restore it in the Corpus tab first.")
    if report.files_changed == 0:
        message = f"'{name}' is already in the index, unchanged."
    else:
        message = (f"'{name}' {'updated' if replaced else 'added'}: {report.chunks_embedded} passages "
                   f"embedded, {report.chunks_total} in the index. It can be cited right away.")
    return UploadResult(file=name, path=str(final), report=report, message=message)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"
