"""The reader at run time: score a question against candidate sentences, fast enough for a chat.

Built from two halves: the frozen base (rebuilt from the installed package; for e5-small the
word embeddings stay 4-bit, 54 MB instead of 384 MB, and are unpacked per token) and the
committed trained layers (checked against the model card's sha256). Inputs are batched and a
question's scores are kept in an LRU cache, since a chat asks the same passages again on a
follow-up. torch's dynamic int8 quantization is available but off by default: measured on the
held-out split it costs about 0.045 AUC and 0.09 top-1 (even on the frozen layers alone) for a
~25% speed-up on this AVX2 CPU, so the served reader is float32.
"""

from __future__ import annotations

import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .data import with_title_prefix
from .weights import WEIGHTS_DIR, verified_weights

Side = Literal["for", "against", "neutral"]
_SIDES: tuple[Side, ...] = ("neutral", "for", "against")  # classes 1, 2, 3


@dataclass(frozen=True)
class ReaderScore:
    """How well a sentence answers the question (0-1), and on which side it falls if it does."""

    relevance: float
    side: Side | None


def _q4_embedding(nibbles: np.ndarray, scales: np.ndarray) -> Any:
    import torch

    class Q4Embedding(torch.nn.Module):
        """An embedding table kept in Q4_0 blocks; rows are unpacked when looked up."""

        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("nibbles", torch.from_numpy(nibbles), persistent=False)
            self.register_buffer("scales", torch.from_numpy(scales.astype(np.float32)), persistent=False)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            nibbles: torch.Tensor = self.nibbles  # type: ignore[assignment]
            scales: torch.Tensor = self.scales  # type: ignore[assignment]
            packed = nibbles[ids]  # [..., cols / 2]
            blocks = packed.unflatten(-1, (-1, 16))  # [..., blocks, 16]
            q = torch.cat([blocks & 0x0F, blocks >> 4], dim=-1).float() - 8.0
            return (q * scales[ids].unsqueeze(-1)).flatten(-2)

    return Q4Embedding()


def _reader_net(encoder: Any, head: str, num_labels: int) -> Any:
    import torch

    class ReaderNet(torch.nn.Module):
        """Encoder and head: ``cls`` reads BERT's pooler (first token), ``mean`` the mean token state."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = torch.nn.Linear(encoder.config.hidden_size, num_labels)
            self.kind = head

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
            if self.kind == "cls":
                return self.head(out.pooler_output)
            mask = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
            return self.head((out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1.0))

    return ReaderNet()


def _e5_base(pooler: bool) -> tuple[Any, Any, dict[str, Any]]:
    """(BertModel on the meta device, tokenizer, frozen state) for the converted e5-small."""
    import torch
    from transformers import BertConfig, BertModel

    from .e5file import read_e5_file
    from .encoder import bert_config, bert_state_dict, build_tokenizer

    e5 = read_e5_file()
    with torch.device("meta"):
        model = BertModel(BertConfig(**bert_config(e5)), add_pooling_layer=pooler)
    state = bert_state_dict(e5, word_embeddings=False)
    model.embeddings.word_embeddings = _q4_embedding(*e5.q4_blocks("emb.word"))
    return model, build_tokenizer(e5), {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


def _package_base(path: Path, pooler: bool) -> tuple[Any, Any, dict[str, Any]]:
    """The same for a base that ships as a Hugging Face directory (the English MiniLM)."""
    import torch
    from safetensors.torch import load_file
    from tokenizers import Tokenizer
    from transformers import AutoConfig, BertModel

    config = AutoConfig.from_pretrained(str(path), local_files_only=True)
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=pooler)
    return model, Tokenizer.from_file(str(path / "tokenizer.json")), load_file(str(path / "model.safetensors"))


def build_reader_model(manifest: dict[str, Any], trained: dict[str, Any]) -> tuple[Any, Any]:
    """Frozen base + trained layers -> (float32 network in eval mode, tokenizer)."""
    import torch

    head = str(manifest.get("head", "cls"))
    if manifest["base"] == "e5-small":
        encoder, tokenizer, state = _e5_base(pooler=head == "cls")
    else:
        from .train import base_directory

        encoder, tokenizer, state = _package_base(base_directory(manifest["base"]), pooler=head == "cls")
    with torch.device("meta"):
        net = _reader_net(encoder, head, int(manifest["num_labels"]))
    full = {f"encoder.{k}": v for k, v in state.items()}
    full.update({k: v.float() for k, v in trained.items()})
    net.load_state_dict(full, strict=False, assign=True)
    embeddings = encoder.embeddings
    positions = encoder.config.max_position_embeddings
    embeddings.register_buffer("position_ids", torch.arange(positions).unsqueeze(0), persistent=False)
    embeddings.register_buffer("token_type_ids", torch.zeros(1, positions, dtype=torch.long), persistent=False)
    left = [n for n, p in [*net.named_parameters(), *net.named_buffers()] if p.is_meta]
    if left:
        raise ValueError(f"reader weights do not cover {left[:5]}")
    tokenizer.enable_truncation(int(manifest["max_length"]), strategy="longest_first")
    tokenizer.enable_padding(pad_id=encoder.config.pad_token_id or 0)
    return net.eval(), tokenizer


class Reader:
    """Scores (question, sentence) pairs with the committed cross-encoder."""

    def __init__(self, directory: Path = WEIGHTS_DIR, quantize: bool = False, batch_size: int = 16,
                 cache_size: int = 20_000) -> None:
        import torch
        from safetensors.torch import load_file

        path, self.manifest = verified_weights(directory)
        model, self._tokenizer = build_reader_model(self.manifest, load_file(str(path)))
        if quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self._model = model
        self.quantized = quantize
        self._with_title = bool(self.manifest.get("with_title"))
        self._batch_size = batch_size
        self._cache: OrderedDict[tuple[str, str], ReaderScore] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _segment(self, sentence: str, title: str | None) -> str:
        return with_title_prefix(sentence, title if self._with_title else None)

    def _run(self, question: str, segments: list[str]) -> list[ReaderScore]:
        import torch

        out: list[ReaderScore] = []
        for at in range(0, len(segments), self._batch_size):
            batch = self._tokenizer.encode_batch([(question, s) for s in segments[at:at + self._batch_size]])
            ids = torch.tensor([e.ids for e in batch])
            mask = torch.tensor([e.attention_mask for e in batch])
            with torch.inference_mode():
                logits = self._model(ids, mask).float()
            if logits.shape[1] == 1:
                out += [ReaderScore(float(p), None) for p in torch.sigmoid(logits[:, 0])]
                continue
            probs = torch.softmax(logits, dim=1)
            for row in probs.tolist():
                side = _SIDES[int(np.argmax(row[1:4]))] if len(row) >= 4 else None
                out.append(ReaderScore(1.0 - row[0], side))
        return out

    def score(self, question: str, sentences: list[str], titles: list[str] | None = None) -> list[ReaderScore]:
        """One score per sentence, in order; ``titles`` (one per sentence) name each one's document.

        A follow-up is read as it was trained: the earlier questions and this one joined by spaces
        (``data.Record.asked``); ``side`` means something only for decision questions."""
        segments = [self._segment(s, titles[i] if titles else None) for i, s in enumerate(sentences)]
        with self._lock:
            missing = list(dict.fromkeys(s for s in segments if (question, s) not in self._cache))
            if missing:
                for segment, result in zip(missing, self._run(question, missing), strict=True):
                    self._cache[(question, segment)] = result
            found = []
            for segment in segments:
                self._cache.move_to_end((question, segment))
                found.append(self._cache[(question, segment)])
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return found
