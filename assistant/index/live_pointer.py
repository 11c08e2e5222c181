"""The live generation of an embedded index as a small file beside it, readable without Chroma.

Chroma's pointer collection stays the record; publishing writes this file right after it (one
``os.replace``, so a reader sees the old name or the new one, never half of it), and an ingest puts
it back in step under the ingest lock when it is missing or differs (an index built before the file
existed, a publish killed between the two writes). A start then reads the live generation and maps
its retrieval files without importing Chroma (half a second). Only an embedded index has it: the
index folder of a replica on a Chroma server is its own, and another replica's publish would not
reach it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..settings import Settings

_FORMAT = "live-pointer/1"  # a name, not a number: it is no tunable


def pointer_path(settings: Settings, index_name: str) -> Path:
    return settings.index_dir / f"{index_name}.live.json"


def read_live(settings: Settings, index_name: str) -> str | None:
    """The generation the file names; ``None`` when there is no usable file (Chroma's pointer then answers)."""
    try:
        found = json.loads(pointer_path(settings, index_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("format") != _FORMAT:
        return None
    generation = found.get("generation")
    return generation if isinstance(generation, str) and generation.startswith(f"{index_name}-g") else None


def write_live(settings: Settings, index_name: str, generation: str | None) -> None:
    """Name ``generation`` as live (``None`` removes the file): written beside it, then renamed over it."""
    target = pointer_path(settings, index_name)
    if generation is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"format": _FORMAT, "generation": generation}, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
