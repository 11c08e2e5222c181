"""Question time, first half: turn a follow-up into a standalone question and find its passages.

``condense`` rewrites follow-ups (heuristically, or with the chat model); ``hybrid`` fuses dense and
BM25 rankings and removes near-duplicates with MMR.
"""
