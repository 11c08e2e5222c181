"""The searchable index: Chroma collections and their live pointer, the embedding models, BM25.

Written by ``assistant.ingest`` and read by ``assistant.retrieval``; nothing here knows about
questions or answers.
"""
