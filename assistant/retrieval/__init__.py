"""Question time, second step: turn a follow-up into a standalone question and find its passages.

``condense`` rewrites follow-ups (heuristically, or with the chat model); ``passages`` makes the
retrieval decisions for an analysed question (how many passages, extra ones per named entity, one
retry); ``hybrid`` fuses dense and BM25 rankings and removes near-duplicates with MMR.
"""
