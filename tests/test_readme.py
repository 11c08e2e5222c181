"""README stays true: every setting is documented, the two commands are the ones shown."""

import re

from assistant.settings import PROJECT_ROOT, documented_fields, env_name

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    fields = documented_fields()
    assert len(fields) >= 48
    missing = [flat for flat, (_, part, field) in fields.items() if f"`{env_name(part, field)}`" not in README]
    assert missing == []


def test_every_readme_setting_exists() -> None:
    documented = {env_name(part, field) for _, part, field in documented_fields().values()}
    named = set(re.findall(r"^\| `((?:ASSISTANT|CHROMA)_[A-Z_]+)`", README, re.M))
    assert named - documented == set()


def test_the_two_commands_are_documented() -> None:
    assert "make run" in README and "make test" in README
