"""Test-suite wide set-up: real-peer fixtures and the CI rule for missing peers.

Tests needing a peer start it themselves on 127.0.0.1 and stop it by pid.
A missing peer binary skips the test with a reason, except under CI=true,
where it fails (see peers.common.require_binary).
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

# tests/peers is a plain directory of helper modules: make `import peers.x`
# work whatever pytest's import mode is.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from peers import common  # noqa: E402
from peers.common import free_port  # noqa: E402
from peers.kamailio import Kamailio  # noqa: E402

# Users of the test PBX: user name -> password.
KAMAILIO_USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--keep-logs",
        action="store_true",
        default=False,
        help="print the log tail of every peer a test started, also when it passed",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    common.set_current_test(item.nodeid)
    try:
        return (yield)
    finally:
        common.set_current_test(None)
        common.forget_stopped()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    keep = bool(item.config.getoption("--keep-logs"))
    if report.failed or (keep and report.when == "call"):
        # The log tail of each peer is what explains most interop failures.
        for process in common.processes_for(item.nodeid):
            report.sections.append(
                (
                    f"{process.name} (pid {process.pid}) log: {process.log_path}",
                    process.log_tail(60),
                )
            )
    return report


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    """A fresh Kamailio registrar/proxy with users 1001..1003 (password passNNNN).

    UDP and TCP share one port (as on a PBX's 5060); TLS has its own.
    """
    port = free_port("both")
    kam = Kamailio(
        tmp_path / "kamailio",
        KAMAILIO_USERS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    kam.start()
    try:
        yield kam
    finally:
        kam.close()
