"""The golden set: one record per question, validated on load, a hash of its content, and its
calibration / test halves.

The halves are computed, not written in the file: within each (category, language) stratum the
records are ordered by a hash of ``SPLIT_SEED`` and their id, and dealt alternately to the test
and the calibration half (strata take turns at starting with the test half). The split of a
record never depends on the order of the file, and adding a record moves no record of another
stratum. Thresholds are tuned on the calibration half only (``assistant eval --calibrate``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from ..errors import DatasetError
from ..models import Language, Turn
from ..settings import PROJECT_ROOT
from .facts import parse_unit
from .premises import Premise

DEFAULT_DATASET = PROJECT_ROOT / "evals" / "golden.yaml"
MIN_RECORDS = 60

Category = Literal[
    "fact", "figure", "synthesis", "follow-up", "out-of-scope", "false-premise", "prompt-injection",
    "who", "advice", "comparison",
]
Half = Literal["test", "calibration"]
HALVES: tuple[Half, Half] = ("test", "calibration")
SPLIT_SEED = "eval-split-1"


class RequiredFact(BaseModel):
    """A fact the answer must state: plain text, a regex, a figure with unit and tolerance, or
    ``any`` of several (``any_of``: sources that disagree, "325 million EUR or 378 million USD")."""

    kind: Literal["number", "text", "regex", "any"]
    value: float | str = ""
    any_of: list[RequiredFact] = Field(default_factory=list, description="kind any: the facts, one is enough.")
    unit: str | None = Field(
        None, description="Number facts: '%', a currency ('million USD'), 'year', or what is counted "
                          "('leaders', 'million conversations'); see facts.py.")
    tolerance: float = Field(0.0, ge=0, description="Largest absolute difference accepted, in the fact's unit.")
    synonyms: list[str] = Field(default_factory=list,
                                description="More words that state the unit noun (units.py has the groups).")

    @model_validator(mode="before")
    @classmethod
    def _text_stays_text(cls, data: object) -> object:
        # YAML reads `value: 2025` as an int; a text or regex fact means the characters "2025".
        if (isinstance(data, dict) and data.get("kind") in {"text", "regex"}
                and isinstance(data.get("value"), int | float)):
            return {**data, "value": str(data["value"])}
        return data

    @model_validator(mode="after")
    def _value_fits_kind(self) -> RequiredFact:
        if self.kind == "any":
            if len(self.any_of) < 2:
                raise ValueError("an 'any' fact needs at least two facts in any_of")
        elif self.any_of:
            raise ValueError(f"a {self.kind} fact has no any_of")
        elif self.kind == "number":
            if isinstance(self.value, str):
                try:
                    self.value = float(self.value)
                except ValueError as error:
                    raise ValueError(f"number fact value {self.value!r} is not a number") from error
            parse_unit(self.unit or "", tuple(self.synonyms))  # raises ValueError on a missing unit
        else:
            self.value = str(self.value)
            if not self.value.strip():
                raise ValueError(f"{self.kind} fact has an empty value")
            if self.kind == "regex":
                try:
                    re.compile(self.value)
                except re.error as error:
                    raise ValueError(f"regex {self.value!r} does not compile: {error}") from error
        return self

    def describe(self) -> str:
        if self.kind == "any":
            return " or ".join(f.describe() for f in self.any_of)
        if self.kind == "number":
            number = f"{float(self.value):g}"
            unit = f" {self.unit}" if self.unit else ""
            tolerance = f" ±{self.tolerance:g}" if self.tolerance else ""
            return f"{number}{unit}{tolerance}"
        return f"{self.kind} {self.value!r}"


class GoldenRecord(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    question: str = Field(min_length=1)
    language: Language
    category: Category
    critical: bool = False
    must_refuse: bool = False
    required_facts: list[RequiredFact] = Field(default_factory=list)
    supporting_docs: list[str] = Field(default_factory=list, description="Doc-level qrels (front matter ids).")
    forbidden: list[str] = Field(default_factory=list, description="Strings the answer must never contain.")
    premises: list[Premise] = Field(
        default_factory=list,
        description="What a false-premise question asserts (a figure with its unit and subject, or a claim "
                    "with its entity): stating it with no correction before it fails (premises.py).")
    history: list[Turn] = Field(default_factory=list, description="Earlier turns of a follow-up question.")

    @field_validator("supporting_docs", "forbidden")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("contains an empty string")
        return values

    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:12]

    @model_validator(mode="after")
    def _consistent(self) -> GoldenRecord:
        if self.must_refuse and (self.required_facts or self.supporting_docs):
            raise ValueError("a must_refuse record has no required_facts and no supporting_docs")
        if not self.must_refuse and not self.required_facts:
            raise ValueError("an answerable record needs at least one required fact")
        if not self.must_refuse and not self.supporting_docs:
            raise ValueError("an answerable record needs supporting_docs (its qrels)")
        if self.category == "follow-up" and not self.history:
            raise ValueError("a follow-up record needs its history")
        if self.category == "false-premise" and not (self.premises and self.required_facts):
            raise ValueError("a false-premise record needs premises (the false claim) and "
                             "required_facts (the correction)")
        if self.premises and self.category != "false-premise":
            raise ValueError("only a false-premise record has premises")
        return self


class Dataset(BaseModel):
    path: str
    records: list[GoldenRecord]

    def content_hash(self) -> str:
        """sha256 of the records' content: comments and formatting of the file do not count."""
        canonical = json.dumps([r.model_dump(mode="json") for r in self.records],
                               sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def by_id(self) -> dict[str, GoldenRecord]:
        return {r.id: r for r in self.records}

    def halves(self) -> dict[str, Half]:
        """Record id -> its half, stratified by category and language (see the module docstring)."""
        return split_halves(self.records)


def _split_key(record_id: str) -> str:
    return hashlib.sha256(f"{SPLIT_SEED}:{record_id}".encode()).hexdigest()


def split_halves(records: list[GoldenRecord]) -> dict[str, Half]:
    strata: dict[tuple[str, str], list[str]] = {}
    for record in records:
        strata.setdefault((record.category, record.language), []).append(record.id)
    halves: dict[str, Half] = {}
    for position, stratum in enumerate(sorted(strata)):
        first = position % 2  # strata take turns at giving their odd record to the test half
        for rank, record_id in enumerate(sorted(strata[stratum], key=_split_key)):
            halves[record_id] = HALVES[(rank + first) % 2]
    return halves


def _first_error(error: ValidationError) -> str:
    detail = error.errors()[0]
    where = ".".join(str(p) for p in detail["loc"])
    return f"{where}: {detail['msg']}" if where else str(detail["msg"])


def load_dataset(path: Path = DEFAULT_DATASET, min_records: int = MIN_RECORDS) -> Dataset:
    """Read a YAML list (or JSON lines) of records; raise ``DatasetError`` on the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"cannot read the dataset {path}: {error.strerror}") from error
    try:
        raw = ([json.loads(line) for line in text.splitlines() if line.strip()]
               if path.suffix == ".jsonl" else yaml.safe_load(text))
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        raise DatasetError(f"{path.name} is not valid {path.suffix.lstrip('.')}: "
                           f"{str(error).splitlines()[0]}") from error
    if not isinstance(raw, list):
        raise DatasetError(f"{path.name} must be a list of records")
    records: list[GoldenRecord] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        name = item.get("id", f"#{position}") if isinstance(item, dict) else f"#{position}"
        try:
            record = GoldenRecord.model_validate(item)
        except ValidationError as error:
            raise DatasetError(f"{path.name} record {name}: {_first_error(error)}") from error
        if record.id in seen:
            raise DatasetError(f"{path.name}: the id {record.id} is used twice")
        seen.add(record.id)
        records.append(record)
    if len(records) < min_records:
        raise DatasetError(f"{path.name} has {len(records)} records; at least {min_records} are needed")
    return Dataset(path=str(path), records=records)
