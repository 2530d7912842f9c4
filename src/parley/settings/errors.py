"""The error a person sees when a settings file cannot be used, and its wording."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

# `ConfigIssue.kind` of a settings file that could not be written (the others are
# pydantic's error types).
WRITE_FAILED = "write_failed"


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a settings file: where (``key``), what, and what to do about it.

    ``problem`` and ``hint`` are English (the console's words); ``kind`` (pydantic's error
    type, e.g. "less_than_equal", "value_error"), ``value`` (the value refused, shown) and
    ``limit`` (the bound, the choices or the length allowed) let a front-end say it in
    its own words.
    """

    key: str | None
    problem: str
    hint: str
    kind: str = ""
    value: str = ""
    limit: str = ""


class ConfigError(Exception):
    """A settings file cannot be read, parsed, validated or written.

    ``path`` is the file, ``key`` the dotted setting (``accounts[0].transport``) or None
    when the fault is not in one setting (unreadable file, TOML syntax), ``problem`` says
    what is wrong. ``line``/``column`` are set for TOML syntax errors. ``issues`` holds every
    problem found (the attributes above describe the first). ``str(error)`` names the file,
    the key and the problem, and says what to do.
    """

    def __init__(
        self,
        path: Path,
        issues: list[ConfigIssue] | ConfigIssue,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.issues: tuple[ConfigIssue, ...] = (
            (issues,) if isinstance(issues, ConfigIssue) else tuple(issues)
        )
        if not self.issues:
            raise ValueError("ConfigError needs at least one issue")
        first = self.issues[0]
        self.key: str | None = first.key
        self.problem: str = first.problem
        self.hint: str = first.hint
        self.line = line
        self.column = column
        super().__init__(self._describe())

    def _describe(self) -> str:
        lines = []
        for issue in self.issues:
            where = f"{self.path}: "
            if issue.key is not None:
                where += f"{issue.key}: "
            elif self.line is not None:
                where += f"line {self.line}, column {self.column}: "
            lines.append(f"{where}{issue.problem} — {issue.hint}")
        return "\n".join(lines)


def dotted_key(loc: tuple[int | str, ...]) -> str:
    """``('accounts', 0, 'transport')`` -> ``'accounts[0].transport'``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _show(value: Any) -> str:
    return (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Names of the settings allowed where ``loc`` points, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        current = args[0] if args else annotation
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def describe_validation_error(
    error: ValidationError, model: type[BaseModel], fix: str = "fix the value and start again"
) -> list[ConfigIssue]:
    """Turn pydantic's errors into issues worded for people, one per faulty setting."""
    issues: list[ConfigIssue] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        kind = item["type"]
        value = item.get("input")
        ctx = item.get("ctx") or {}
        hint = fix
        limit = ""
        if kind == "missing":
            problem = "this required setting is missing"
            hint = "add it and start again"
        elif kind == "extra_forbidden":
            problem = "unknown setting"
            known = _fields_at(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            if close:
                problem += f"; did you mean {close[0]!r}?"
            hint = "remove it or correct its spelling and start again"
        elif kind == "literal_error":
            choices = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
            problem = f"{_show(value)} is not one of {choices}"
            limit = choices
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            problem = f"{_show(value)} is not a whole number"
        elif kind in ("float_type", "float_parsing"):
            problem = f"{_show(value)} is not a number"
        elif kind in ("bool_type", "bool_parsing"):
            problem = f"{_show(value)} is not true or false"
        elif kind == "string_type":
            problem = f"{_show(value)} is not text (write it in quotes)"
        elif kind == "greater_than_equal":
            problem = f"{_show(value)} is too small; the least allowed is {ctx.get('ge')}"
        elif kind == "less_than_equal":
            problem = f"{_show(value)} is too large; the most allowed is {ctx.get('le')}"
        elif kind == "string_too_short":
            problem = "must not be empty"
        elif kind == "string_too_long":
            problem = f"is too long; at most {ctx.get('max_length')} characters are allowed"
        elif kind == "too_short":
            problem = f"needs at least {ctx.get('min_length')} entry"
        elif kind == "list_type":
            problem = f'{_show(value)} is not a list; write it like ["a", "b"]'
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            problem = f"{_show(value)} is not a table; write it as a [section]"
        elif kind == "value_error" and "error" in ctx:
            problem = str(ctx["error"])
        else:
            problem = str(item["msg"])
        for bound in ("ge", "gt", "le", "lt", "max_length", "min_length"):
            if bound in ctx and not limit:
                limit = str(ctx[bound])
        shown = "" if value is None or isinstance(value, (dict, list)) else str(value)
        issues.append(
            ConfigIssue(
                dotted_key(loc) if loc else None,
                problem,
                hint,
                kind=str(kind),
                value=shown,
                limit=limit,
            )
        )
    return issues
