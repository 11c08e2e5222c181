"""The golden set: one record per question, validated on load, and a hash of its content."""

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

DEFAULT_DATASET = PROJECT_ROOT / "evals" / "golden.yaml"
MIN_RECORDS = 60

Category = Literal[
    "fact", "figure", "synthesis", "follow-up", "out-of-scope", "false-premise", "prompt-injection"
]


class RequiredFact(BaseModel):
    """A fact the answer must state: plain text, a regex, or a figure with unit and tolerance."""

    kind: Literal["number", "text", "regex"]
    value: float | str
    unit: str | None = Field(None, description="'%' (or percent) makes it a percentage; 'million' etc. scale it.")
    tolerance: float = Field(0.0, ge=0, description="Largest absolute difference accepted, in the fact's unit.")

    @model_validator(mode="before")
    @classmethod
    def _text_stays_text(cls, data: object) -> object:
        # YAML reads `value: 2025` as an int; a text or regex fact means the characters "2025".
        if isinstance(data, dict) and data.get("kind") != "number" and isinstance(data.get("value"), int | float):
            return {**data, "value": str(data["value"])}
        return data

    @model_validator(mode="after")
    def _value_fits_kind(self) -> RequiredFact:
        if self.kind == "number":
            if isinstance(self.value, str):
                try:
                    self.value = float(self.value)
                except ValueError as error:
                    raise ValueError(f"number fact value {self.value!r} is not a number") from error
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
    history: list[Turn] = Field(default_factory=list, description="Earlier turns of a follow-up question.")

    @field_validator("supporting_docs", "forbidden")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("contains an empty string")
        return values

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
