"""Two faults at once on real MariaDB nodes (issue 8): with one-ack semi-sync, an acknowledged write
may be on one secondary alone, so grouter promotes only on reads from a majority of the view AND
from every member that may hold such writes (docs/group-replication.md, "The failover safety
rule"). Otherwise the group waits, says why in GET /api/v1/group, and new primary-route clients are
refused at once with the reason; the failover completes when the holder is back, with every
acknowledged write. A node that restarted keeps its relay log: grouter applies it before anything
else (MariaDB would purge it when replication starts in GTID mode)."""
import time

import pymysql
import pytest

from clients import query
from group_harness import (FencedSandbox, force_members, group_sections, group_status,
                           stopped_process, wait_for_primary, wait_group, wait_member_state)
from harness import Grouter, wait_until
from writer import RecordingWriter, mysql_connect, table_checksum

# Long enough that a client held instead of refused would time out first.
kRouteOptions = {"destination_wait_timeout": "60"}


def start(tmp_path, nodes, weights):
    sb = FencedSandbox(tmp_path / "sandbox", nodes=nodes)
    g = None
    try:
        sb.create()
        g = Grouter(tmp_path / "grouter", group_sections(sb, weights=weights,
                                                         route_options=kRouteOptions)).start()
        wait_group(g, lambda s: s["primary"] and all(m["member_state"] == "ONLINE"
                                                    for m in s["members"]), 90, "every node ONLINE")
        return sb, g
    except BaseException:
        if g is not None:
            g.cleanup()
        sb.destroy()
        raise


def stop(sb, g):
    g.cleanup()
    sb.destroy()


def writer_through(g, threads=4):
    w = RecordingWriter("127.0.0.1", g.route_port("primary"), "app", "app_pw", "test", "acked",
                        threads=threads, io_timeout=20)
    w.start()
    w.wait_acknowledged(100, 30)
    return w


def cut_from_primary(sb, primary, nodes):
    """The primary refuses new replication connections (its repl account locked, not replicated);
    NODES reconnect their receivers and are refused: they receive nothing more."""
    sb.sql(primary, "SET sql_log_bin = 0; ALTER USER 'repl'@'%' ACCOUNT LOCK")
    for i in nodes:
        sb.sql(i, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD")
    for i in nodes:
        wait_until(lambda i=i: "Access denied" in sb.sql(i, "SHOW SLAVE STATUS"), 30,
                   f"node{i}'s receiver to be refused by the primary")


def received(sb, i):
    return sb.sql(i, "SELECT @@gtid_current_pos").split()[-1]


def waiting_failover(g, missing_id):
    """Waits until GET /api/v1/group shows a waiting failover that names MISSING_ID; returns it."""
    def check(status):
        f = status.get("failover")
        return f if status["primary"] is None and f and f["state"] == "waiting" and \
            missing_id in f["missing"] else None
    return wait_group(g, check, 60, f"the failover to wait for {missing_id}")


def assert_refused_at_once(g, words):
    """A new primary-route client gets 1429 naming the reason, not a hold."""
    with pytest.raises(pymysql.err.OperationalError) as refused:
        mysql_connect("127.0.0.1", g.route_port("primary"), "app", "app_pw", "test",
                      connect_timeout=5, io_timeout=20).close()
    code, message = refused.value.args[0], str(refused.value.args[1])
    assert code == 1429 and words in message, (code, message)


def assert_all_acknowledged_on(writer, sb, i):
    missing = writer.verify_all_present(host="127.0.0.1", port=sb.port(i))
    assert not missing, f"node{i} lacks {len(missing)} acknowledged writes, e.g. {missing[:5]}"


def assert_same_data(sb, nodes):
    def equal():
        return len({table_checksum("127.0.0.1", sb.port(i), "admin", "admin_pw", "test", "acked")
                    for i in nodes}) == 1
    wait_until(equal, 60, f"equal checksums on nodes {nodes}")


def test_primary_killed_and_the_holder_hung_waits_for_the_holder(tmp_path):
    """3 nodes: node3 primary, node2 the rule's successor. node2's receiver is cut, so node1 alone
    holds the newest acknowledged writes; then node3 is killed and node1 hung in the same instant.
    Promoting node2 now would lose them: the group waits until node1 answers again."""
    sb, g = start(tmp_path, 3, {1: 30, 2: 50, 3: 80})
    try:
        writer = writer_through(g)
        try:
            cut_from_primary(sb, 3, [2])
            writer.wait_acknowledged(writer.counters()["acknowledged"] + 300, 30)
            assert received(sb, 2) != received(sb, 1)
            with stopped_process(sb.pid(1)):
                sb.kill(3)
                f = waiting_failover(g, find_id(g, sb, 1))
                assert "node1" in f["reason"], f
                assert_refused_at_once(g, "the group has no primary")
                assert group_status(g)["primary"] is None
                assert sb.sql(2, "SELECT @@read_only").split()[-1] == "1", "node2 is not promoted"
            new = wait_for_primary(g, 60, exclude=[sb.addr(3)])
            writer.wait_first_success_after(time.monotonic(), 30)
        finally:
            writer.stop()
        assert new["member_port"] == sb.port(2)
        assert group_status(g)["failover"] is None
        assert_all_acknowledged_on(writer, sb, 2)
        assert_same_data(sb, [1, 2])
    finally:
        stop(sb, g)


def test_primary_and_the_keeping_up_secondary_killed_waits_then_uses_its_kept_relay_log(tmp_path):
    """5 nodes: node5 primary. nodes 2-4 are cut from it, so node1 alone acknowledges the newest
    writes; its applier is held on a table lock, so they are only in its relay log. node5 and node1
    are killed together: three of five answer, a majority, but none holds those writes. The group
    waits; node1 restarts, grouter applies the relay log it kept, and the new primary gets every
    acknowledged write from it."""
    sb, g = start(tmp_path, 5, {1: 30, 2: 40, 3: 50, 4: 60, 5: 80})
    try:
        writer = writer_through(g)
        holder = None
        try:
            cut_from_primary(sb, 5, [2, 3, 4])
            holder = mysql_connect("127.0.0.1", sb.port(1), "admin", "admin_pw", "test")
            query(holder, "LOCK TABLES acked READ")
            writer.wait_acknowledged(writer.counters()["acknowledged"] + 300, 30)
            sb.kill(5)
            sb.kill(1)
            holder = None
            node1 = find_id(g, sb, 1)
            f = waiting_failover(g, node1)
            assert "may hold acknowledged transactions" in f["reason"], f
            assert_refused_at_once(g, "waiting for node1")
            for i in (2, 3, 4):
                assert sb.sql(i, "SELECT @@read_only").split()[-1] == "1", f"node{i} promoted"
            sb.start(1)
            new = wait_for_primary(g, 90, exclude=[sb.addr(5)])
            writer.wait_first_success_after(time.monotonic(), 30)
        finally:
            if holder is not None:
                holder.close()
            writer.stop()
        assert new["member_port"] == sb.port(4), "GR's rule among the ONLINE members: weight 60"
        assert "restarted with a relay log" in g.full_log()
        assert_all_acknowledged_on(writer, sb, 4)
        assert_same_data(sb, [2, 3, 4])
    finally:
        stop(sb, g)


def test_force_members_promotes_without_the_missing_holder_and_names_what_may_be_lost(tmp_path):
    """The operator's last resort: with two of three nodes dead (no majority), POST
    /api/v1/group/force_members with the members that are left; the group promotes among them and
    the answer names what the excluded holder was last seen to hold beyond the new primary."""
    sb, g = start(tmp_path, 3, {1: 30, 2: 50, 3: 80})
    try:
        cut_from_primary(sb, 3, [2])
        writer = writer_through(g, threads=2)
        writer.stop()
        # grouter's probes have seen what node1 holds (two full probe rounds after the writes).
        rounds = probe_rounds(g)
        wait_until(lambda: probe_rounds(g) >= rounds + 2, 30, "two probe rounds")
        sb.kill(3)
        sb.kill(1)
        node2 = find_id(g, sb, 2)
        # Two of three gone: no majority, nobody can be expelled or promoted.
        wait_member_state(g, sb.addr(1), "UNREACHABLE", 30)
        wait_member_state(g, sb.addr(3), "UNREACHABLE", 30)
        assert force_members(g, ["nobody"])[0] == 400
        status, body = force_members(g, [node2])
        assert status == 200, body
        assert body["members"] == [node2]
        assert "node1: up to 0-" in body["may_lose"], body
        new = wait_for_primary(g, 60, exclude=[sb.addr(3)])
        assert new["member_port"] == sb.port(2)
        assert "may be lost" in g.full_log()
    finally:
        stop(sb, g)


def probe_rounds(g):
    status, body = g.rest("/api/20190715/metadata/mygroup/status")
    assert status == 200, body
    return body["refreshSucceeded"]


def find_id(g, sb, i):
    for m in group_status(g)["members"]:
        if m["member_port"] == sb.port(i):
            return m["member_id"]
    raise AssertionError(f"node{i} has no member")


def test_a_primary_that_lost_transactions_a_member_holds_is_not_made_writable_again(tmp_path):
    """The primary comes back read-only without transactions of its own that a secondary received
    (crash recovery trims what it thinks unacknowledged; grouter may have been down meanwhile).
    Made writable again, it would reuse their sequence numbers and acknowledged writes would be
    lost. grouter expels it instead and fails over to a member that holds them."""
    sb, g = start(tmp_path, 3, {1: 30, 2: 50, 3: 80})
    try:
        writer = writer_through(g, threads=2)
        writer.stop()
        g.proc.kill()
        g.proc.wait()
        # node2 holds node3's next transaction, which node3 lacks (as after a trimmed crash).
        wait_until(lambda: received(sb, 2) == received(sb, 3), 30, "node2 to catch up")
        seq = int(received(sb, 3).split("-")[-1]) + 1
        sb.sql(2, "STOP SLAVE; SET SESSION server_id = 3; SET SESSION gtid_seq_no = "
                  f"{seq}; INSERT INTO test.acked VALUES (999999999, 0, 'lost by node3')")
        sb.sql(3, "SET GLOBAL read_only = ON")
        g.start()
        new = wait_for_primary(g, 60, exclude=[sb.addr(3)])
        assert new["member_port"] == sb.port(2)
        assert "lacks transactions the group has: node2 holds 0-3-" in g.full_log()
        assert sb.sql(2, "SELECT COUNT(*) FROM test.acked WHERE id = 999999999").split()[-1] == "1"
        assert_all_acknowledged_on(writer, sb, 2)
        assert_same_data(sb, [1, 2])
    finally:
        stop(sb, g)
