"""Fixtures for the integration tests: one replicated 3-node MariaDB sandbox for the session (base port
3320, so it never collides with the demo on 3310), and grouter processes started from config dicts.

Run: /usr/bin/python3 -m pytest tests/integration -q   (GROUTER_BIN overrides build/router/grouter)
"""
import os

import pytest

from clients import build_connectorj, install_mysql2
from harness import Grouter, Sandbox, standard_routes

# GROUTER_TEST_BASE_PORT lets two suites run side by side on one machine.
kBasePort = int(os.environ.get("GROUTER_TEST_BASE_PORT", "3320"))
kNodes = 3


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    sb = Sandbox(tmp_path_factory.mktemp("sandbox"), kNodes, kBasePort)
    try:
        sb.create()
    except BaseException:
        sb.destroy()  # a half-made sandbox must not hold the ports for the next run
        raise
    yield sb
    sb.destroy()


@pytest.fixture
def cluster(sandbox):
    """The session's sandbox with every node running before and after the test (for tests that stop
    or kill nodes)."""
    sandbox.ensure_all_running()
    yield sandbox
    sandbox.ensure_all_running()


def _factory(base_dir):
    started = []

    def start(sections, **kw):
        g = Grouter(base_dir / f"grouter{len(started)}", sections, **kw)
        started.append(g)
        return g.start()
    return start, started


def _stop_all(started):
    """Stops every grouter; a crash or an unclean exit fails the test's teardown."""
    problems = []
    for g in started:
        try:
            if g.alive():
                g.stop()
            elif g.proc is not None and g.proc.returncode != 0:
                problems.append(f"grouter exited with {g.proc.returncode} during the test:\n{g.log()}")
        except AssertionError as err:
            problems.append(str(err))
        finally:
            g.cleanup()
    assert not problems, "\n".join(problems)


@pytest.fixture
def grouter(sandbox, tmp_path):
    """start(sections) -> a running Grouter; stopped (SIGTERM) at teardown whatever happened."""
    start, started = _factory(tmp_path)
    yield start
    _stop_all(started)


@pytest.fixture(scope="module")
def std_grouter(sandbox, tmp_path_factory):
    """One grouter for a module's read-only checks: route rw -> node 1 (first-available), route ro ->
    nodes 2 and 3 (round-robin)."""
    start, started = _factory(tmp_path_factory.mktemp("std_grouter"))
    yield start(standard_routes(sandbox))
    _stop_all(started)


@pytest.fixture(scope="session")
def connectorj_classes(tmp_path_factory):
    """tests/clients/java/SqlClient compiled for this session: pass it to clients.connectorj()."""
    return build_connectorj(tmp_path_factory.mktemp("connectorj"))


@pytest.fixture(scope="session")
def mysql2_installed():
    """mysql2 installed in tests/clients/node (npm ci, once), for clients.mysql2()."""
    install_mysql2()
