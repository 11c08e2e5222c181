"""README stays true: every setting is documented, the two commands are the ones shown."""

from assistant.settings import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def env_names(field_name: str) -> list[str]:
    alias = Settings.model_fields[field_name].validation_alias
    choices = getattr(alias, "choices", None)
    return [str(c) for c in choices] if choices else [f"ASSISTANT_{field_name.upper()}"]


def test_every_setting_is_in_the_readme() -> None:
    missing = [name for name in Settings.model_fields if f"`{env_names(name)[0]}`" not in README]
    assert missing == []


def test_the_two_commands_are_documented() -> None:
    assert "make run" in README and "make test" in README
