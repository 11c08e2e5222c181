"""The package's shape: no import cycle between modules or between packages, no module over 400 lines,
front ends on the public face."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "assistant"
MAX_LINES = 400
FRONT_ENDS = ("assistant.web", "assistant.slack", "assistant.cli")
# What a front end may import of the core: the API, its types, its errors, settings, logs, telemetry, the
# feedback store (a front end's own I/O) and the start-up preload. Never the pipeline: ingest, index, retrieval,
# answer, providers.
PUBLIC = ("assistant.api", "assistant.corpus", "assistant.models", "assistant.errors", "assistant.settings",
          "assistant.text", "assistant.logs", "assistant.storage", "assistant.telemetry", "assistant.startup")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(name: str) -> set[str]:
    """Project modules ``name`` imports at run time, anywhere in the file (lazy imports count)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def package_of(name: str) -> str:
    """A module's package: ``assistant.answer`` for ``assistant.answer.scoring``; a top-level module
    (``assistant.api``, ``assistant.models``) is a node of its own."""
    return ".".join(name.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for name, targets in graph.items():
        own = package_of(name)
        packages.setdefault(own, set()).update(package_of(t) for t in targets if package_of(t) != own)
    return packages


PACKAGES = package_graph(GRAPH)


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    planted = {**GRAPH, "assistant.text": {*GRAPH["assistant.text"], "assistant.api"}}
    assert find_cycle(planted) is not None


def test_no_import_cycle_in_the_package() -> None:
    assert find_cycle(GRAPH) is None


def test_the_package_cycle_finder_finds_a_planted_cycle() -> None:
    """Two modules of two packages that import each other's siblings: no module cycle, a package cycle."""
    planted = {**GRAPH, "assistant.ingest.chunking": {*GRAPH["assistant.ingest.chunking"], "assistant.index.bm25"}}
    planted["assistant.index.store"] = {*GRAPH["assistant.index.store"], "assistant.ingest.segments"}
    assert find_cycle(planted) is None
    assert find_cycle(package_graph(planted)) is not None


def test_no_import_cycle_between_packages() -> None:
    """Stages import down the pipeline only: ingest -> index, retrieval -> index, and no way back."""
    assert find_cycle(PACKAGES) is None


def test_retrieval_and_the_answer_share_the_question_analysis_not_each_other() -> None:
    assert "assistant.answer" not in PACKAGES["assistant.retrieval"]
    assert "assistant.retrieval" not in PACKAGES["assistant.answer"]
    assert "assistant.analysis" in PACKAGES["assistant.retrieval"] & PACKAGES["assistant.answer"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_400_lines(name: str) -> None:
    assert len(MODULES[name].read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_front_ends_use_only_the_public_face() -> None:
    reaching = {
        (name, target)
        for name, targets in GRAPH.items() if name.startswith(FRONT_ENDS)
        for target in targets
        if not target.startswith(FRONT_ENDS) and not target.startswith(PUBLIC) and target != "assistant"
    }
    assert reaching == set()


def test_no_module_imports_a_provider_but_the_registry_by_name() -> None:
    importing = {name for name, targets in GRAPH.items()
                 if any(t.startswith("assistant.providers.") for t in targets)}
    assert importing == set()


def test_every_package_says_what_it_owns() -> None:
    undocumented = [name for name, path in MODULES.items()
                    if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))]
    assert undocumented == []


# -- reach-ins: outside the pipeline the assistant is its public methods ---------------------------------
# The front ends and the manager's workflow read the index through ``Assistant.corpus()`` and answer through
# ``ask``/``ask_stream``: never the assistant's index store, retriever, embedding model or chains, nor any of
# its private attributes. Checked on attribute access (an import check cannot see ``assistant.store``).
OUTSIDE = (*FRONT_ENDS, "assistant.workflow")
INSIDES = frozenset({"store", "retriever", "embeddings", "sentence_vectors", "chat_model", "chain",
                     "retrieval_chain"})
RETRIEVER_INSIDES = frozenset({"dense", "bm25"})  # the retriever's own; no name outside means anything else
ASSISTANT_TYPES = re.compile(r"\b(Assistant|Asker)\b")


def _is_assistant(node: ast.AST, names: set[str]) -> bool:
    """``assistant``, ``x.assistant``, ``Assistant(...)`` or a name bound to one of them."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute):
        return node.attr == "assistant"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Assistant"


def _assistant_names(tree: ast.AST) -> set[str]:
    """The names that hold the assistant: ``assistant``, parameters typed ``Assistant``/``Asker``, and names
    assigned (or bound by ``with ... as``) from the assistant, followed to a fixed point."""
    names = {"assistant"}
    while True:
        found = set(names)
        for node in ast.walk(tree):
            if isinstance(node, ast.arg):
                if node.annotation is not None and ASSISTANT_TYPES.search(ast.unparse(node.annotation)):
                    found.add(node.arg)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr)):
                if node.value is not None and _is_assistant(node.value, found):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    found.update(t.id for t in targets if isinstance(t, ast.Name))
            elif (isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name)
                  and _is_assistant(node.context_expr, found)):
                found.add(node.optional_vars.id)
        if found == names:
            return names
        names = found


def reach_ins(source: str) -> list[str]:
    """Each attribute access into the assistant's insides, as "line: expression"."""
    tree = ast.parse(source)
    names = _assistant_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attr, base = node.attr, node.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in {"getattr", "setattr", "hasattr"} and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            attr, base = node.args[1].value, node.args[0]
        else:
            continue
        into_assistant = _is_assistant(base, names) and (attr in INSIDES or attr.startswith("_"))
        if into_assistant or attr in RETRIEVER_INSIDES:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_reach_in_finder_finds_planted_reach_ins() -> None:
    planted = """
def tab(ctx, helper: Assistant, asker: Asker | None):
    ctx.assistant.store.withdrawn()
    helper.retriever().chunks
    held = ctx.assistant
    held.embeddings.embed_query("x")
    getattr(ctx.assistant, "_store")
    Assistant(settings)._generation
    asker.sentence_vectors
    found = ctx.corpus.dense([0.1], 3)
    ctx.store.log_turn(answer)          # the feedback store, not the index's
    ctx.assistant.corpus().passages("d")
    ctx.assistant.ask_stream("q").answer()
"""
    assert sorted(int(line.split(":")[0]) for line in reach_ins(planted)) == [3, 4, 6, 7, 8, 9, 10]


def test_front_ends_and_the_workflow_do_not_reach_into_the_assistant() -> None:
    reaching = {name: found for name, path in MODULES.items() if name.startswith(OUTSIDE)
                if (found := reach_ins(path.read_text(encoding="utf-8")))}
    assert reaching == {}


def test_the_workflow_uses_only_the_public_face() -> None:
    reaching = {
        (name, target)
        for name, targets in GRAPH.items() if name.startswith("assistant.workflow")
        for target in targets
        if not target.startswith(("assistant.workflow", *PUBLIC)) and target != "assistant"
    }
    assert reaching == set()
