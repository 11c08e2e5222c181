"""An optional LLM judge: advisory scores of faithfulness and correctness, never part of the gate.

It runs only when ``eval_judge_llm`` names a chat model, always at temperature 0, and every
verdict is cached on disk by a hash of the model and the prompt, so a re-run asks nothing new.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from ..answer.prompts import message_text
from ..providers import make_chat_model
from ..settings import Settings
from .dataset import GoldenRecord
from .results import QuestionResult

JUDGE_SYSTEM = """You grade one answer of a question-answering assistant. Reply with JSON only:
{"faithfulness": F, "correctness": C, "reason": "one short sentence"}
F is 1 when every claim of the answer is supported by the quoted sources, 0 when none is,
or a value between. C is 1 when the answer gives the expected facts (or, when the expected
behaviour is a refusal, when it refuses), 0 when it does not, or a value between."""


class JudgeCache:
    """Verdicts by key in SQLite, shared by runs and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.commit()

    def get(self, key: str) -> dict[str, float | str] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM verdicts WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: dict[str, float | str]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?)", (key, json.dumps(value)))
            self._db.commit()


def judge_prompt(record: GoldenRecord, result: QuestionResult) -> str:
    expected = ("a refusal: the corpus does not answer this" if record.must_refuse
                else "; ".join(fact.describe() for fact in record.required_facts))
    quotes = "\n".join(f"[{c.n}] {c.quote}" for c in result.citations) or "(none)"
    return (f"Question: {record.question}\n\nExpected: {expected}\n\n"
            f"Answer:\n{result.answer}\n\nQuoted sources:\n{quotes}")


def parse_verdict(text: str) -> dict[str, float | str]:
    """The judge's JSON, scores clamped to [0, 1]; anything unreadable is reported, not guessed."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else {}
        verdict: dict[str, float | str] = {
            name: min(1.0, max(0.0, float(data[name]))) for name in ("faithfulness", "correctness")
        }
    except (ValueError, KeyError, TypeError):
        return {"error": f"unreadable verdict: {text[:120]!r}"}
    verdict["reason"] = str(data.get("reason", ""))[:300]
    return verdict


class Judge:
    def __init__(self, model: BaseChatModel, model_name: str, cache: JudgeCache) -> None:
        self.model, self.model_name, self.cache = model, model_name, cache

    def grade(self, record: GoldenRecord, result: QuestionResult) -> dict[str, float | str]:
        prompt = judge_prompt(record, result)
        key = hashlib.sha256(f"{self.model_name}\0{JUDGE_SYSTEM}\0{prompt}".encode()).hexdigest()
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        try:
            reply = message_text(self.model.invoke([SystemMessage(JUDGE_SYSTEM), HumanMessage(prompt)]))
        except Exception as error:  # advisory: a judge outage costs a verdict, never the run
            return {"error": f"judge unavailable ({error.__class__.__name__})"}
        verdict = parse_verdict(reply)
        if "error" not in verdict:
            self.cache.put(key, verdict)
        return verdict


def make_judge(settings: Settings) -> Judge | None:
    """None when no judge model is configured."""
    if not settings.eval.judge_llm.strip():
        return None
    judge_settings = settings.with_changes(
        llm=settings.eval.judge_llm, llm_temperature=0.0,
        llm_base_url=settings.eval.judge_base_url or settings.llm_base_url,
    )
    model = make_chat_model(judge_settings)
    assert model is not None
    return Judge(model, settings.eval.judge_llm, JudgeCache(settings.eval.judge_cache))


def judge_results(judge: Judge, records: list[GoldenRecord], results: list[QuestionResult]) -> dict[str, float]:
    """Attach a verdict to every result; return the advisory means (kept out of the gate)."""
    for record, result in zip(records, results, strict=True):
        result.judge = judge.grade(record, result)
    scored = [r.judge for r in results if r.judge and "error" not in r.judge]
    return {
        f"judge_{name}": round(sum(float(v[name]) for v in scored) / len(scored), 4) if scored else 0.0
        for name in ("faithfulness", "correctness")
    }
