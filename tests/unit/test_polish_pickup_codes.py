"""A pickup without an account to call from fails with a code (`PickupProblem`), not an
English sentence; the console words it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_app import make_app

from parley.app.blf import PickupFailed
from parley.cli.texts import pickup_problem_text
from parley.phone.pickup import PickupProblem
from parley.settings import Settings


def test_pickup_without_any_account_has_a_code_the_console_words(tmp_path: Path) -> None:
    app = make_app(tmp_path, Settings(accounts=[]))
    app.start().result(20)
    try:
        with pytest.raises(PickupFailed) as caught:
            app.blf.pickup("1003").result(20)
    finally:
        app.stop()
    assert (caught.value.problem, caught.value.line) == (PickupProblem.NO_ACCOUNT, "1003")
    assert pickup_problem_text(caught.value.problem, caught.value.line) == (
        "Cannot pick up: there is no account to call from at 1003 — add or enable an account."
    )


def test_every_pickup_problem_has_console_words() -> None:
    for problem in PickupProblem:
        assert pickup_problem_text(problem, "1003").startswith("Cannot pick up: ")
