"""Every tunable number of the retrieval and answer stages is on record (``assistant/tunables.py``)
with the value the code uses; a number added or changed without its record fails here."""

from __future__ import annotations

import importlib
import pkgutil

from assistant.settings import AnswerSettings
from assistant.tunables import TUNABLES, by_place

SCANNED = ("assistant.analysis", "assistant.answer", "assistant.retrieval")
ALSO = ("assistant.index.bm25", "assistant.safety")


def _numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, dict) and bool(value) and all(_numeric(v) for v in value.values())


def constants() -> dict[str, object]:
    modules = list(ALSO)
    for stage in SCANNED:
        package = importlib.import_module(stage)
        modules += [info.name for info in pkgutil.walk_packages(package.__path__, f"{stage}.")]
    found: dict[str, object] = {}
    for name in modules:
        for key, value in vars(importlib.import_module(name)).items():
            if not key.startswith("__") and _numeric(value):
                found[f"{name}:{key}"] = value
    return found


def answer_settings() -> dict[str, object]:
    defaults = AnswerSettings.model_construct()
    return {f"settings:{name}": getattr(defaults, name) for name, field in AnswerSettings.model_fields.items()
            if field.annotation in (int, float)}


def test_every_number_of_the_stages_is_on_record_with_its_value() -> None:
    records = by_place()
    found = {**constants(), **answer_settings()}
    missing = sorted(set(found) - set(records))
    assert missing == [], f"not in assistant/tunables.py: {missing}"
    differ = [f"{place}: code {found[place]!r}, record {records[place].value!r}" for place in found
              if found[place] != records[place].value]
    assert differ == []


def test_every_record_names_a_number_that_exists() -> None:
    for tunable in TUNABLES:
        module, _, name = tunable.where.partition(":")
        if module == "settings":
            assert name in AnswerSettings.model_fields, tunable.where
        else:
            assert getattr(importlib.import_module(module), name) == tunable.value, tunable.where
        assert tunable.how in ("calibrated", "default", "by hand") and tunable.why and tunable.role


def test_the_calibrated_settings_are_the_ones_the_sweep_tunes() -> None:
    from assistant.evaluation.calibrate import SWEEPS

    calibrated = {t.where.partition(":")[2] for t in TUNABLES
                  if t.how == "calibrated" and t.where.startswith("settings:")}
    assert calibrated == set(SWEEPS)
    assert {"select_ratio", "weight_dense", "weight_lexical", "weight_rank", "weight_fits",
            "broad_floor"} <= set(SWEEPS)
