"""The house rules of docs/architecture.md, checked on the source tree.

- Layers import only downwards (the table `ALLOWED` below is the rule; it is the
  picture in docs/architecture.md as code).
- `parley.sip` imports nothing of Parley's own outside `sip` and no asyncio, socket,
  time, threading or ssl: it is sans-IO.
- `gui` and `cli` never import each other (the `parley` entry point above both picks one).
- No package reaches into another package's private names (`obj._name`,
  `from parley.x import _name`).
- No module grows past 1,000 lines.

The checker is plain AST work over the files, so it sees lazy imports inside functions
too. Its own tests at the bottom build small trees with one violation each and show the
check fails on them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "parley"

SERVICES = {"settings", "contacts", "history", "messages", "automation", "provisioning"}

# package -> the Parley packages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "sip": set(),
    "media": {"sip"},
    "net": {"sip"},
    **{s: {"sip", "net"} | (SERVICES - {s}) for s in SERVICES},
    "phone": {"sip", "media", "net"} | SERVICES,
    "app": {"sip", "media", "net", "phone"} | SERVICES,
    "cli": {"sip", "media", "net", "phone", "app"} | SERVICES,
    "gui": {"sip", "media", "net", "phone", "app"} | SERVICES,
    # The entry point (`parley` without a sub-command) chooses a front-end.
    "__main__": {"launcher"},
    "launcher": {"cli", "gui", "app", "settings"},
    "__init__": set(),
}

SANS_IO_FORBIDDEN = {"asyncio", "socket", "time", "threading", "ssl", "selectors"}
MAX_LINES = 1000


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.detail}"


def _package_of(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def _parley_imports(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, dotted module, imported names) for every import of `parley.*`."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, alias.name, []))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
    return found


def _private_definitions(tree: ast.AST) -> set[str]:
    """Private names a module defines: `_x = ...`, `self._x = ...`, `def _x`, `class _X`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name.startswith("_") and not node.name.startswith("__"):
                names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if node.attr.startswith("_") and not node.attr.startswith("__"):
                names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            if node.id.startswith("_") and not node.id.startswith("__"):
                names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id.startswith("_") and not node.target.id.startswith("__"):
                names.add(node.target.id)
    return names


def check_tree(root: Path) -> list[Violation]:
    """Every violation of the house rules in the package tree at `root`."""
    files = sorted(root.rglob("*.py"))
    trees = {f: ast.parse(f.read_text(encoding="utf-8"), filename=str(f)) for f in files}
    private_by_package: dict[str, set[str]] = {}
    for f, tree in trees.items():
        private_by_package.setdefault(_package_of(f, root), set()).update(
            _private_definitions(tree)
        )

    out: list[Violation] = []
    for f, tree in trees.items():
        pkg = _package_of(f, root)
        rel = str(f.relative_to(root.parent))
        lines = f.read_text(encoding="utf-8").count("\n") + 1
        if lines > MAX_LINES:
            out.append(Violation(rel, 1, "size", f"{lines} lines (at most {MAX_LINES})"))
        allowed = ALLOWED.get(pkg)
        for line, module, names in _parley_imports(tree):
            top = module.split(".")[0]
            if pkg == "sip" and top in SANS_IO_FORBIDDEN:
                out.append(Violation(rel, line, "sans-io", f"parley.sip imports {module}"))
            if top != root.name:
                continue
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else "__init__"
            if target in (pkg, "__init__"):  # the root package holds only the version
                continue
            if allowed is None:
                out.append(Violation(rel, line, "layers", f"package {pkg!r} is not in ALLOWED"))
            elif target not in allowed:
                out.append(Violation(rel, line, "layers", f"{pkg} imports {module}"))
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    out.append(Violation(rel, line, "private", f"imports {module}.{name}"))
        own = private_by_package.get(pkg, set())
        foreign = set().union(*(v for k, v in private_by_package.items() if k != pkg)) - own
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in foreign
                and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
            ):
                out.append(
                    Violation(
                        rel, node.lineno, "private", f"reaches into another package: .{node.attr}"
                    )
                )
    return out


def test_the_source_tree_keeps_the_house_rules() -> None:
    violations = check_tree(SRC)
    assert not violations, "\n".join(str(v) for v in violations)


# -- the checker can fail ----------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "parley"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CLEAN = {
    "__init__.py": "",
    "sip/__init__.py": "",
    "sip/message.py": "class Message:\n    def __init__(self):\n        self._raw = b''\n",
    "media/__init__.py": "",
    "media/rtp.py": "from parley.sip.message import Message\n",
    "phone/__init__.py": "",
    "phone/call.py": "from parley.media.rtp import Message\n",
}


def _rules(root: Path) -> set[str]:
    return {v.rule for v in check_tree(root)}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert check_tree(_tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("name", "text", "rule"),
    [
        ("sip/up.py", "from parley.phone.call import x\n", "layers"),
        ("media/up.py", "def f():\n    import parley.net.udp\n", "layers"),
        ("sip/clock.py", "import time\n", "sans-io"),
        ("sip/loop.py", "from asyncio import get_running_loop\n", "sans-io"),
        ("cli/x.py", "from parley.gui.app import main\n", "layers"),
        ("gui/x.py", "from parley.cli.console import run\n", "layers"),
        ("phone/peek.py", "def f(m):\n    return m._raw\n", "private"),
        ("phone/imp.py", "from parley.sip.message import _helper\n", "private"),
        ("media/big.py", "x = 1\n" * 1001, "size"),
    ],
)
def test_each_kind_of_violation_is_found(tmp_path: Path, name: str, text: str, rule: str) -> None:
    root = _tree(tmp_path, {**CLEAN, name: text, f"{name.split('/')[0]}/__init__.py": ""})
    assert rule in _rules(root)


def test_a_package_may_use_its_own_private_names(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**CLEAN, "sip/dialog.py": "def f(m):\n    return m._raw\n"})
    assert check_tree(root) == []
