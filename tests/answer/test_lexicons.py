"""No rule copied from a document: the word lists and patterns of the answer and retrieval stages hold
general words and short phrases only.

Every compiled pattern and every collection of strings at module level in ``assistant.analysis``,
``assistant.answer``, ``assistant.retrieval`` and ``assistant.safety`` is read; a pattern is expanded
into the literal word runs it can match (optional parts taken and left out, alternatives one by one; a
character class or an open repeat ends a run). A run, or a word-list entry, of three words or more that
appears in a document of the shipped corpus or of an eval corpus is a phrase lifted from that document,
and fails.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from assistant.folding import fold
from assistant.ingest.loaders import load_document
from assistant.settings import PROJECT_ROOT

try:  # Python 3.11 names the parser sre_parse; 3.13 keeps it as re._parser
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

STAGES = ("assistant.analysis", "assistant.answer", "assistant.retrieval", "assistant.safety")
DOCUMENT_DIRS = (PROJECT_ROOT / "corpus", PROJECT_ROOT / "evals" / "corpora")
MIN_WORDS = 3
_GAP = "\x00"  # a place where the pattern matches something other than a fixed word
_LIMIT = 4096  # expansions kept per sequence before the runs found so far are set aside
_WORD = re.compile(r"[^\W_]+")
# Multi-word expressions of the language itself, not of any document: place names of the gazetteer
# and grammatical or question phrases. Each was read and judged general; a stance, type or topic
# phrase never belongs here.
GENERAL = frozenset((
    "afrique du sud",  # a country's name
    "mis a jour",  # "updated", a structure line of a dated page
    "est ce que", "est ce qu", "a quelle date", "at what price", "how much of",  # question words
    "chiffre d affaires",  # "revenue", one noun in French
    "par rapport a",  # "compared with"
    "il a ajoute",  # "he added", a verb of speech
))


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(fold(text)))


def _is_space_class(items: list[tuple[object, object]]) -> bool:
    return all(op is sre_constants.CATEGORY and av is sre_constants.CATEGORY_SPACE for op, av in items) or all(
        op is sre_constants.LITERAL and chr(int(av)).isspace() for op, av in items)  # type: ignore[call-overload]


def _expand(tree: sre_parse.SubPattern, done: set[str]) -> set[str]:
    """The strings ``tree`` matches, with ``_GAP`` where it matches anything but fixed text."""
    results = {""}
    for op, av in tree:
        if op is sre_constants.LITERAL:
            options = {chr(av)}
        elif op is sre_constants.IN:
            options = {" "} if _is_space_class(av) else {_GAP}
        elif op is sre_constants.BRANCH:
            options = set().union(*(_expand(branch, done) for branch in av[1]))
        elif op is sre_constants.SUBPATTERN:
            options = _expand(av[-1], done)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            low, high, body = av
            inner = _expand(body, done)
            if all(set(s) <= {" "} for s in inner):
                options = {" "}
            elif high <= 1:
                options = inner | ({""} if low == 0 else set())
            else:
                options = {_GAP}
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            options = {""}
        elif op is sre_constants.CATEGORY and av is sre_constants.CATEGORY_SPACE:
            options = {" "}
        else:
            options = {_GAP}
        results = {r + o for r in results for o in options}
        if len(results) > _LIMIT:
            done.update(results)
            results = {_GAP}
    return results


def runs_of(pattern: str) -> set[str]:
    done: set[str] = set()
    done |= _expand(sre_parse.parse(pattern), done)
    return {_normal(run) for text in done for run in text.split(_GAP) if len(_normal(run).split()) >= MIN_WORDS}


def _entries(value: object) -> Iterator[str]:
    if isinstance(value, re.Pattern):
        yield from runs_of(value.pattern)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _entries(key)
            yield from _entries(item)
    elif isinstance(value, (set, frozenset, tuple, list)):
        for item in value:
            yield from _entries(item)
    elif isinstance(value, str) and isinstance(value, str) and len(_normal(value).split()) >= MIN_WORDS:
        yield _normal(value)


@cache
def lexicon_entries() -> dict[str, set[str]]:
    """Module -> the word runs of its patterns and word lists (strings in collections only: a plain
    string constant is a sentence the assistant writes, not a rule)."""
    found: dict[str, set[str]] = {}
    for stage in STAGES:
        package = importlib.import_module(stage)
        modules = [info.name for info in pkgutil.walk_packages(package.__path__, f"{stage}.")] \
            if hasattr(package, "__path__") else [stage]  # a stage may be one module
        for module_name in modules:
            module = importlib.import_module(module_name)
            entries: set[str] = set()
            for name, value in vars(module).items():
                if name.startswith("__") or isinstance(value, str):
                    continue
                entries.update(_entries(value))
            found[module_name] = entries
    return found


@cache
def documents() -> dict[str, str]:
    texts = {}
    for folder in DOCUMENT_DIRS:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in {".md", ".txt", ".html", ".pdf", ".docx"}:
                texts[str(path.relative_to(PROJECT_ROOT))] = " " + _normal(load_document(path, 50_000_000).text) + " "
    return texts


def lifted(entries: dict[str, set[str]], texts: dict[str, str]) -> list[str]:
    return [f"{module}: {entry!r} is in {path}" for module, found in sorted(entries.items())
            for entry in sorted(found - GENERAL) for path, text in texts.items() if f" {entry}" in text]


def test_the_scan_reads_the_lexicons() -> None:
    entries = lexicon_entries()
    assert "assistant.answer.evidence" in entries and "assistant.analysis.lexicon" in entries
    assert runs_of(r"\b(?:as a result|pour (?:que|eviter))") == {"as a result"}
    assert runs_of(r"plus (?:une )?destination a bas cout") == {"plus une destination a bas cout",
                                                                 "plus destination a bas cout"}


def test_no_lexicon_entry_is_a_phrase_from_a_document() -> None:
    assert lifted(lexicon_entries(), documents()) == []


@pytest.mark.parametrize("phrase", ["ne sont pas les plus bas", "plus une destination a bas cout"])
def test_a_lifted_phrase_is_caught(phrase: str) -> None:
    """Sabotage: the rules removed in issue 20 are found again if put back."""
    pattern = re.compile(r"\b(?:risk|" + phrase.replace(" ", r"\s") + ")")
    assert lifted({"sabotage": runs_of(pattern.pattern)}, documents())


def test_documents_are_read() -> None:
    assert any(p.startswith("evals/corpora/natural/") for p in documents())
    assert any(p.startswith("corpus/") for p in documents())
    assert Path(PROJECT_ROOT / "corpus").is_dir()
