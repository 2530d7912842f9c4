"""The console's translation scheme: every tr()/N_() literal in src/parley/cli has a German
entry with the same {fields}; English stays the source language."""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

import parley.cli
from parley.cli.i18n import N_, current_language, load_catalog, set_language, tr

CLI_DIR = Path(parley.cli.__file__).parent


def source_literals() -> dict[str, list[str]]:
    """Every string literal passed to tr() or N_() in src/parley/cli, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted(CLI_DIR.rglob("*.py")):
        if "locale" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                where = f"{path.relative_to(CLI_DIR)}:{node.lineno}"
                found.setdefault(node.args[0].value, []).append(where)
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture(autouse=True)
def back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def test_every_console_string_has_a_german_entry() -> None:
    german = load_catalog("de")
    missing = {text: where for text, where in source_literals().items() if text not in german}
    assert not missing, "no German entry for:\n" + "\n".join(
        f"  {text!r}  ({', '.join(where)})" for text, where in sorted(missing.items())
    )


def test_german_entries_keep_the_fields_and_are_not_empty() -> None:
    german = load_catalog("de")
    wrong = {k: v for k, v in german.items() if not v.strip() or fields(k) != fields(v)}
    assert not wrong, wrong


def test_console_language_switches_and_falls_back() -> None:
    literals = source_literals()
    assert literals, "the scan found no tr()/N_() in src/parley/cli"
    text = next(t for t in sorted(literals) if not fields(t))
    german = load_catalog("de")
    assert tr(text) == text  # English is the source
    assert set_language("de") == "de"
    assert current_language() == "de"
    assert tr(text) == german.get(text, text)
    assert tr("A text nobody translated") == "A text nobody translated"
    assert N_("marked") == "marked"
    assert set_language("fr") == "en"
    assert tr(text) == text
