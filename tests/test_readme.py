"""README is the front door and docs/ holds the rest; both stay true: every setting is documented where the
configuration lives, every command is in README's table, every page and picture is linked and exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.cli import app
from assistant.evaluation.reports import CHART_METRICS
from assistant.settings import PROJECT_ROOT, documented_fields, env_name

DOCS = PROJECT_ROOT / "docs"
README_PATH = PROJECT_ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
PAGES = {path: path.read_text(encoding="utf-8") for path in [README_PATH, *sorted(DOCS.glob("*.md"))]}
CONFIGURATION = (DOCS / "configuration.md").read_text(encoding="utf-8")
EVALS = (DOCS / "evals.md").read_text(encoding="utf-8")
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def test_readme_fits_on_a_page() -> None:
    assert len(README.splitlines()) <= 250


def test_every_setting_is_in_the_configuration_page() -> None:
    fields = documented_fields()
    assert len(fields) >= 48
    missing = [flat for flat, (_, part, field) in fields.items()
               if f"`{env_name(part, field)}`" not in CONFIGURATION]
    assert missing == []


def test_the_configuration_page_gives_every_default() -> None:
    shown = dict(re.findall(r"^\| `([A-Z_]+)`(?: / `[A-Z_]+`)? \| ([^|]*) \|", CONFIGURATION, re.M))
    wrong = {}
    for _, part, field in documented_fields().values():
        default = part.model_fields[field].default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT)
        expected = "(empty)" if default in ("", None) else f"`{default}`"
        if shown.get(env_name(part, field)) != expected:
            wrong[env_name(part, field)] = (shown.get(env_name(part, field)), expected)
    assert wrong == {}


def test_every_documented_setting_exists() -> None:
    documented = {env_name(part, field) for _, part, field in documented_fields().values()}
    for path, text in PAGES.items():
        named = set(re.findall(r"^\| `((?:ASSISTANT|CHROMA)_[A-Z_]+)`", text, re.M))
        assert named - documented == set(), path.name


def test_the_two_commands_are_documented() -> None:
    assert "make run" in README and "make test" in README
    assert re.search(r"^run:", MAKEFILE, re.M) and re.search(r"^test:", MAKEFILE, re.M)


def test_every_command_is_in_the_readme_table() -> None:
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert len(names) >= 12
    missing = [name for name in names if not re.search(rf"^\| `assistant {name}\b", README, re.M)]
    assert missing == []


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {target.split("#")[0] for target in _LINK.findall(README)}
    assert {f"docs/{path.name}" for path in DOCS.glob("*.md")} <= linked


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but hyphens dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", re.sub(r"```.*?```", "", text, flags=re.S), re.M)}


@pytest.mark.parametrize("path", list(PAGES), ids=lambda p: p.name)
def test_every_link_and_picture_resolves(path: Path) -> None:
    broken = []
    for target in _LINK.findall(PAGES[path]):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        missing_anchor = (anchor and resolved.suffix == ".md" and resolved.exists()
                          and anchor not in _anchors(resolved.read_text(encoding="utf-8")))
        if not resolved.exists() or missing_anchor:
            broken.append(target)
    assert broken == []


def test_the_eval_figures_keep_their_table() -> None:
    """The figures of the committed baselines: one row per reported aggregate, a column per suite and half."""
    figures = EVALS.split("\n## Figures\n", 1)[1].split("\n## ", 1)[0]
    header = "| metric | main, test half | main, calibration half | natural, test half | natural, calibration half |"
    assert header in figures
    rows = {line.split("|")[1].strip().split(" ")[0] for line in figures.splitlines() if line.startswith("| ")}
    assert set(CHART_METRICS) - rows == set()
