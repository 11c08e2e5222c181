"""Structure-aware chunking: whole paragraphs under one heading, never cut inside a sentence."""

from __future__ import annotations

import hashlib

from ..models import CHUNKER_VERSION, Chunk
from ..text import split_sentences
from .loaders import Block, SourceDocument

__all__ = ["CHUNKER_VERSION", "chunk_document"]


def _chunk_id(doc_id: str, text: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{doc_id}\x1f{occurrence}\x1f{text}".encode()).hexdigest()
    return f"{doc_id}:{digest[:16]}"


def _split_long_block(block: Block, max_chars: int) -> list[Block]:
    """Split an over-long paragraph between sentences; a single long sentence stays whole."""
    pieces: list[Block] = []
    current_start: int | None = None
    current_end = 0
    for start, end in split_sentences(block.text):
        if current_start is not None and end - current_start > max_chars:
            pieces.append(_sub_block(block, current_start, current_end))
            current_start = start
        elif current_start is None:
            current_start = start
        current_end = end
    if current_start is not None:
        pieces.append(_sub_block(block, current_start, current_end))
    return pieces


def _sub_block(block: Block, start: int, end: int) -> Block:
    return Block(heading_path=block.heading_path, text=block.text[start:end],
                 start=block.start + start, end=block.start + end)


def chunk_document(document: SourceDocument, max_chars: int) -> list[Chunk]:
    """Group consecutive paragraphs of one section until ``max_chars`` would be passed."""
    groups: list[list[tuple[int, Block]]] = []
    for index, block in enumerate(document.blocks):
        parts = [block] if len(block.text) <= max_chars else _split_long_block(block, max_chars)
        for part in parts:
            last = groups[-1] if groups else None
            if (
                last
                and last[-1][1].heading_path == part.heading_path
                and part.end - last[0][1].start <= max_chars
                and last[-1][0] != index  # pieces of a split paragraph stay apart
            ):
                last.append((index, part))
            else:
                groups.append([(index, part)])

    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for group in groups:
        start, end = group[0][1].start, group[-1][1].end
        text = document.text[start:end]
        occurrence = seen.get(text, 0)
        seen[text] = occurrence + 1
        chunks.append(
            Chunk(
                id=_chunk_id(document.doc_id, text, occurrence),
                doc_id=document.doc_id,
                text=text,
                title=document.title,
                heading_path=group[0][1].heading_path,
                paragraph_start=group[0][0],
                paragraph_end=group[-1][0],
                char_start=start,
                char_end=end,
                language=document.language,
                source=document.source,
                date=document.date,
                confidence=document.confidence,
                topic=document.topic,
                path=document.path,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                file_hash=document.file_hash,
            )
        )
    return chunks
