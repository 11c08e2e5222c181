"""What a start-up runs first: the embedding model loads on a thread while the rest is imported.

A front end (``assistant ask``, ``assistant serve``) calls ``preload`` before it imports the
``Assistant`` API: that import takes most of a second, and so does loading the model, whose
numpy work and file reads then run beside it. ``Assistant`` later asks for the same model and
gets it, or waits for the load already under way; it is never loaded twice.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .index.embeddings import load_in_background
from .index.use_cache import CACHE_DIR_NAME
from .settings import Settings


def model_cache_dir(settings: Settings) -> Path:
    """Where the embedding model keeps its fast-loading copy: inside the index folder, so a rebuild
    (``ingest --rebuild`` removes that folder) or another index starts afresh."""
    return settings.index_dir / CACHE_DIR_NAME


def preload(settings: Settings) -> threading.Thread:
    """Start loading (and warming) the configured embedding model in the background."""
    return load_in_background(settings.answer.embedding_model, model_cache_dir(settings))
