"""How long the reader takes for a question's candidates: the share of a chat answer it costs.

Each timed call uses a question not seen before, so the LRU cache never answers; sentences are
drawn from the held-out records (real lengths, about 30-60 tokens with the title).
"""

from __future__ import annotations

import statistics
import time

from .data import all_pairs, load_records, split
from .model import Reader

SIZES = (12, 24, 40)


def measure(repeats: int = 5, quantize: bool = False, sizes: tuple[int, ...] = SIZES) -> dict[str, float]:
    """Median milliseconds per ``Reader.score`` call, by number of pairs."""
    import torch

    torch.set_num_threads(2)
    _, test = split(all_pairs(load_records()))
    pairs = [p for g in test for p in g]
    reader = Reader(quantize=quantize)
    reader.score("warm-up question", [pairs[0].sentence], [pairs[0].title])
    found: dict[str, float] = {}
    for size in sizes:
        chosen = pairs[:size]
        runs = []
        for repeat in range(repeats):
            question = f"{test[repeat % len(test)][0].question} ({size}-{repeat})"
            started = time.perf_counter()
            reader.score(question, [p.sentence for p in chosen], [p.title for p in chosen])
            runs.append((time.perf_counter() - started) * 1000)
        found[str(size)] = round(statistics.median(runs), 1)
    return found
