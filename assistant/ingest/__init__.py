"""Ingest time: read files into structured documents, cut them into chunks, publish an index generation.

``loaders`` turns .md/.txt/.html/.pdf/.docx into blocks with headings; ``chunking`` groups blocks
into chunks that never cut a sentence; ``run`` adds, changes and removes documents incrementally and
flips the live pointer once the new generation is complete.
"""
