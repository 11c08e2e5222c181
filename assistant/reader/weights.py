"""The committed weights: only what training changed, checked against the model card's checksum.

The frozen part of the reader (word embeddings, lower layers) is the base encoder as it
installs, so it is rebuilt from the installed package at load time instead of being committed;
what is committed is the trained upper layers, the pooler and the classifier, in float16 (well
under the 50 MB budget), with a manifest saying how to rebuild the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
WEIGHTS_FILE = "reader.safetensors"
MANIFEST_FILE = "reader.json"
CARD_FILE = "MODEL_CARD.md"
_CHECKSUM = re.compile(r"sha256[^0-9a-f]*([0-9a-f]{64})")


class WeightsError(RuntimeError):
    """The committed weights are missing or do not match their model card."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def committed_name(key: str) -> str:
    """A saved CrossEncoder's parameter name -> the run-time network's (``model.ReaderNet``)."""
    key = key.removeprefix("bert.")
    if key.startswith(("classifier.", "linear.")):
        return "head." + key.split(".", 1)[1]
    return "encoder." + key


def trained_keys(state: dict[str, Any], frozen_layers: int) -> list[str]:
    """Saved parameter names that training changed: layers from ``frozen_layers`` up, pooler, head."""
    keep = []
    for key in state:
        match = re.search(r"encoder\.layer\.(\d+)\.", key)
        trained_layer = match is not None and int(match.group(1)) >= frozen_layers
        if trained_layer or key.startswith(("classifier.", "linear.")) or "pooler." in key:
            keep.append(key)
    return keep


def saved_state(model_dir: Path) -> dict[str, Any]:
    """Every tensor of a saved CrossEncoder: the transformer's, and a ``Dense`` head's if it has one."""
    from safetensors.torch import load_file

    state = load_file(str(model_dir / "model.safetensors"))
    for dense in sorted(model_dir.glob("*_Dense/model.safetensors")):
        state.update(load_file(str(dense)))
    return state


def export_weights(model_dir: Path, manifest: dict[str, Any], target: Path = WEIGHTS_DIR) -> str:
    """Write the trained part of a saved CrossEncoder and its manifest; return the sha256."""
    import torch
    from safetensors.torch import save_file

    state = saved_state(model_dir)
    keys = [k for k in trained_keys(state, manifest["frozen_layers"])
            if manifest.get("head") != "mean" or "pooler." not in k]  # a mean head never reads the pooler
    kept = {committed_name(k): state[k].detach().to(torch.float16).contiguous() for k in keys}
    target.mkdir(parents=True, exist_ok=True)
    save_file(kept, str(target / WEIGHTS_FILE), metadata={"base": str(manifest["base"])})
    manifest = {**manifest, "keys": len(kept), "parameters": sum(t.numel() for t in kept.values())}
    (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return sha256_of(target / WEIGHTS_FILE)


def card_checksum(directory: Path = WEIGHTS_DIR) -> str:
    """The checksum the model card states for the weights file."""
    card = directory / CARD_FILE
    if not card.is_file():
        raise WeightsError(f"{card} is missing")
    found = _CHECKSUM.search(card.read_text(encoding="utf-8"))
    if not found:
        raise WeightsError(f"{card} states no sha256")
    return found.group(1)


def verified_weights(directory: Path = WEIGHTS_DIR) -> tuple[Path, dict[str, Any]]:
    """The weights file and its manifest, once its sha256 equals the model card's."""
    path = directory / WEIGHTS_FILE
    if not path.is_file():
        raise WeightsError(f"{path} is missing (train with `assistant reader train`)")
    actual, stated = sha256_of(path), card_checksum(directory)
    if actual != stated:
        raise WeightsError(f"{path} has sha256 {actual}, the model card states {stated}")
    return path, json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
