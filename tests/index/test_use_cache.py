"""The embedding model's fast-loading copy gives the packaged model's vectors bit for bit, and a
damaged copy costs a slow start, never a wrong vector."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.index.use_cache import cache_folder, load_use

TEXTS = ["Selon Gartner, quelle part des entreprises a réduit ses effectifs à cause de l'IA ?",
         "Only 20% of the 321 leaders in Gartner's survey said they had reduced agent staffing because of AI.",
         "Kurz.", "  ﬁgures — 80 % in 18 months; ⅓ of BPO seats 😀 ", "Nairobi", ""]


def _vectors(model: object) -> np.ndarray:
    return np.asarray(model.encode(TEXTS))  # type: ignore[attr-defined]


def test_the_copy_gives_the_packaged_vectors_bit_for_bit(tmp_path: Path) -> None:
    packaged = load_use(threads=1, cache_dir=None)
    first = load_use(threads=1, cache_dir=tmp_path)  # loads the packaged way and writes the copy
    assert (cache_folder(tmp_path) / "table.npy").is_file()
    restored = load_use(threads=1, cache_dir=tmp_path)
    assert isinstance(restored._model.table, np.memmap)  # mapped, not read
    expected = _vectors(packaged)
    assert np.array_equal(_vectors(first), expected) and np.array_equal(_vectors(restored), expected)
    assert restored._tokenizer.encode(TEXTS) == packaged._tokenizer.encode(TEXTS)


def test_a_damaged_copy_falls_back_to_the_packaged_model(tmp_path: Path) -> None:
    load_use(threads=1, cache_dir=tmp_path)
    (cache_folder(tmp_path) / "state.marshal").write_bytes(b"not marshal data")
    model = load_use(threads=1, cache_dir=tmp_path)
    assert np.array_equal(_vectors(model), _vectors(load_use(threads=1, cache_dir=None)))


def test_an_unwritable_folder_still_loads_the_model(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    model = load_use(threads=1, cache_dir=blocked)
    assert _vectors(model).shape == (len(TEXTS), 512)
