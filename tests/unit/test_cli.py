"""The command line: bad config files are refused with one clear message and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.cli.main import main


def run(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    config = tmp_path / "settings.toml"
    config.write_text(text)
    config.chmod(0o600)
    code = main(["console", "--config", str(config), "--bind", "127.0.0.1"])
    return code, capsys.readouterr().err


def test_wrong_transport_names_file_key_and_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(
        tmp_path,
        '[[accounts]]\nname="o"\ndomain="127.0.0.1"\nusername="1001"\ntransport="ucp"\n',
        capsys,
    )
    assert code == 2
    assert "settings.toml" in err and "accounts[0].transport" in err and "ucp" in err


def test_toml_syntax_error_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(tmp_path, '[[accounts]]\nname = "o\n', capsys)
    assert code == 2
    assert "settings.toml" in err and "line 2" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["console", "--config", str(tmp_path / "nope.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.toml" in err


def test_no_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(tmp_path, "[sip]\nt1 = 0.5\n", capsys)
    assert code == 2
    assert "no [[accounts]]" in err


def test_missing_required_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(tmp_path, '[[accounts]]\nname="o"\nusername="1001"\n', capsys)
    assert code == 2
    assert "accounts[0].domain" in err


def test_settings_reference_is_current() -> None:
    """docs/configuration.md is generated from the model: regenerate it when this fails
    (python -m parley.settings.reference > docs/configuration.md)."""
    from parley.settings.reference import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    assert doc.read_text() == render()


def test_the_parley_command_hands_sub_commands_to_the_console_without_qt() -> None:
    """`parley console …` goes through the launcher to the CLI and never imports Qt."""
    import subprocess
    import sys

    code = (
        "import sys; from parley.launcher import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit as e:\n    pass\n"
        "assert not any(m.startswith(('PySide6', 'parley.gui')) for m in sys.modules), 'Qt loaded'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("ok")
    assert "parley 0.1.0" in out.stdout


def test_python_m_parley_console_is_the_console_not_the_desktop_app() -> None:
    """`python -m parley console …` (the `parley` command's launcher) reaches the console's
    own argument parser, without Qt; without a sub-command it would start the desktop app."""
    import subprocess
    import sys

    code = (
        "import runpy, sys\n"
        "sys.argv = ['parley', 'console', '--help']\n"
        "try:\n    runpy.run_module('parley', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "assert not any(m.startswith(('PySide6', 'parley.gui')) for m in sys.modules), 'Qt'\n"
        "print('no-qt')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--auto-answer" in out.stdout  # the console's own options
    assert out.stdout.strip().endswith("no-qt")
