"""The recording writer (writer.py) that failover tests and the failover benchmark rely on: it must
never call a write acknowledged unless the server said OK, must count an INSERT cut off by a dead
server as uncertain, and must come back by itself. Plus a check that group_harness's group
configuration is one grouter's parser accepts."""
import subprocess
import time
from pathlib import Path

import pytest

from clients import USER, PASSWORD
from group_harness import FencedSandbox, group_sections
from harness import Grouter, free_port, wait_until
from writer import RecordingWriter, gtid_positions, table_checksum, transactions_between

kDb = "test"


def make_writer(port, table, **kw):
    return RecordingWriter("127.0.0.1", port, USER, PASSWORD, kDb, table, **kw)


@pytest.fixture
def table(sandbox, request):
    """A fresh table name for the test, dropped (on node 1, so everywhere) afterwards."""
    name = f"writer_{request.node.name[:40]}"
    sandbox.sql(1, f"DROP TABLE IF EXISTS {kDb}.{name}")
    yield name
    sandbox.ensure_all_running()
    sandbox.sql(1, f"DROP TABLE IF EXISTS {kDb}.{name}")


def wait_replicas_caught_up(sandbox, timeout_s=60):
    target = gtid_positions("127.0.0.1", sandbox.port(1), USER, PASSWORD)["gtid_binlog_pos"]
    for i in range(2, sandbox.nodes + 1):
        wait_until(lambda: gtid_positions("127.0.0.1", sandbox.port(i), USER, PASSWORD)
                   ["gtid_current_pos"] == target, timeout_s, f"node {i} to reach {target}")


def test_gtid_arithmetic():
    assert transactions_between("", "0-1-25") == 25
    assert transactions_between("0-1-10", "0-2-25") == 15
    assert transactions_between("0-1-10,1-3-4", "0-2-12,1-3-9") == 7


def test_writer_acknowledges_and_every_acknowledged_id_is_everywhere(sandbox, table):
    w = make_writer(sandbox.port(1), table, threads=4)
    t0 = time.monotonic()
    with w:
        w.wait_acknowledged(300, 60)
    acked = w.acknowledged()
    counters = w.counters()
    assert len(acked) >= 300 and not w.uncertain() and not w.errors, (counters, w.errors[:5])
    assert counters["attempts"] == counters["acknowledged"] == len(acked)
    assert counters["connects"] == 4
    first = w.first_success_after(t0)
    assert first is not None and first >= t0
    assert w.first_success_after(time.monotonic()) is None
    assert w.verify_all_present(host="127.0.0.1", port=sandbox.port(1)) == []

    wait_replicas_caught_up(sandbox)
    sums = {i: table_checksum("127.0.0.1", sandbox.port(i), USER, PASSWORD, kDb, table)
            for i in range(1, sandbox.nodes + 1)}
    assert len(set(sums.values())) == 1 and sums[1] is not None, sums
    for i in range(2, sandbox.nodes + 1):
        assert w.verify_all_present(host="127.0.0.1", port=sandbox.port(i)) == [], f"node {i}"

    # A second writer on the same table continues after the largest id.
    w2 = make_writer(sandbox.port(1), table, threads=2)
    with w2:
        w2.wait_acknowledged(20, 30)
    assert min(w2.acknowledged()) > max(acked) and not w2.errors


def test_writer_rate_spaces_the_inserts(sandbox, table):
    # At 100 a second the 1st and the 200th INSERT start at least 1.99 s apart, however many threads.
    w = make_writer(sandbox.port(1), table, threads=4, rate=100)
    t0 = time.monotonic()
    with w:
        w.wait_acknowledged(200, 30)
        elapsed = time.monotonic() - t0
    counters = w.counters()
    assert elapsed >= 1.99 and not w.errors, (elapsed, counters, w.errors[:5])
    assert counters["attempts"] <= 100 * (time.monotonic() - t0) + 1, counters


def test_writer_counts_read_only_refusals_as_rejected_and_backs_off(sandbox, table):
    make_writer(sandbox.port(1), table, threads=1).start().stop()  # the table, replicated
    wait_replicas_caught_up(sandbox)
    w = make_writer(sandbox.port(2), table, threads=2, backoff_min=0.01, backoff_max=0.2).start()
    try:
        # Backoffs 0.01, 0.02, ... 0.16, then capped at 0.2 (x 0.5..1 jitter): from each thread's
        # 6th error on, every retry waits at least 0.1 s.
        wait_until(lambda: min(sum(e.thread == i for e in w.errors) for i in range(2)) >= 6, 30,
                   "six rejected writes per thread on a read-only replica")
        t, attempts = time.monotonic(), w.counters()["attempts"]
        wait_until(lambda: w.counters()["attempts"] >= attempts + 10, 30, "ten more attempts")
        assert time.monotonic() - t >= 0.3, "retries faster than the capped backoff"
    finally:
        w.stop()
    assert not w.acknowledged() and not w.uncertain()
    codes = {(e.phase, e.outcome, e.code) for e in w.errors}
    assert codes == {("insert", "rejected", 1290)}, codes


def test_writer_survives_a_killed_node_behind_a_route(cluster, grouter, table):
    g = grouter({"routing:rw": {"destinations": cluster.addr(1), "routing_strategy": "first-available",
                                "connect_timeout": 1, "max_connect_errors": 4294967295}})
    w = make_writer(g.route_port("rw"), table, threads=4, connect_timeout=2, io_timeout=5)
    with w:
        w.wait_acknowledged(200, 60)
        t_kill = time.monotonic()
        cluster.kill(1)  # returns once the process is gone
        t_dead = time.monotonic()
        # Every thread had a connection to the dead node: its next (or in-flight) INSERT is cut off.
        wait_until(lambda: len({e.thread for e in w.errors_since(t_kill) if e.outcome == "uncertain"})
                   == w.threads, 30, "each thread to lose its connection")
        wait_until(lambda: sum(e.phase == "connect" for e in w.errors_since(t_dead)) >= 8, 30,
                   "reconnects to fail while the node is down")
        assert w.first_success_after(t_dead) is None, "a write was acknowledged by a dead node"
        down_errors = w.errors_since(t_dead)
        t_restart = time.monotonic()
        cluster.start(1)
        resumed = w.wait_first_success_after(t_restart, 60)
        w.wait_acknowledged(w.counters()["acknowledged"] + 100, 60)

    acked, uncertain = w.acknowledged(), w.uncertain()
    assert uncertain and not acked & uncertain
    assert all(e.outcome == "uncertain" for e in w.errors if e.phase == "insert"), w.errors
    assert {e.code for e in down_errors if e.phase == "connect"} <= {1429, 2013}, down_errors[:5]
    assert resumed > t_restart
    assert w.verify_all_present(host="127.0.0.1", port=cluster.port(1)) == []


def test_group_sections_are_accepted_by_the_config_parser(tmp_path):
    """group_sections writes a configuration grouter parses: it either runs (once the group controller
    is built) or refuses to form a group, but never reports a line of its file as wrong."""
    nowhere = FencedSandbox(tmp_path / "unused", base_port=free_port())  # addresses only, never created
    g = Grouter(tmp_path / "g", group_sections(nowhere, weights={1: 60}))
    if not Path(g.binary).exists():
        pytest.skip(f"{g.binary} not built")
    g.write_config()
    with open(g.log_path, "wb") as log:
        g.proc = subprocess.Popen([g.binary, "--config", str(g.config_path)], stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=log)
    try:
        g.proc.wait(timeout=2)  # a configuration error exits at once
    except subprocess.TimeoutExpired:
        g.cleanup()  # it runs: the configuration was accepted
        return
    assert f"{g.config_path}:" not in g.log(), g.log()
