"""Group replication over real MariaDB nodes: grouter forms the group over fresh fenced nodes, fails
over when the primary is killed or hangs without losing an acknowledged write, brings old primaries
back through distributed recovery, puts a node with errant transactions in ERROR, refuses to promote
on a minority, and switches over on request. Clients: PyMySQL (the recording writer), MySQLdb, the
mariadb CLI.

Weights 30/50/80 make node3 the first primary and node2 (not node1, the next in the list) its
successor, so each election checks GR's rule rather than configuration order."""
import os
import signal
import time

import MySQLdb
import pytest

from group_harness import (FencedSandbox, find_member, give_successor_a_backlog, group_sections,
                           group_status, primary_member, release_backlog, stopped_process,
                           switchover, wait_for_primary, wait_group, wait_member,
                           wait_member_not_online, wait_member_state)
from harness import Grouter, Sandbox, wait_until
from writer import RecordingWriter, table_checksum

kBase = int(os.environ.get("GROUTER_TEST_BASE_PORT", "3320"))
kWeights = {1: 30, 2: 50, 3: 80}
# Documented detection times (README, docs/group-replication.md) with the defaults: a refused
# connection is acted on within about 1 s; a silent node is suspected after 3 s and expelled 5 s
# later. The bounds below add the probe interval and a margin for a loaded 2-core machine.
kKilledPrimaryBoundS = 6
kHungPrimaryBoundS = 14


def seq_of(status):
    return int(status["view_id"].split(":")[1])


def fixed_of(status):
    return status["view_id"].split(":")[0]


def server_ids_through(port, connections=12):
    ids = set()
    for _ in range(connections):
        conn = MySQLdb.connect(host="127.0.0.1", port=port, user="app", passwd="app_pw",
                               db="test", connect_timeout=5)
        try:
            cur = conn.cursor()
            cur.execute("SELECT @@server_id")
            ids.add(int(cur.fetchone()[0]))
        finally:
            conn.close()
    return ids


def node_server_id(sandbox, i):
    return int(sandbox.sql(i, "SELECT @@server_id").split()[-1])


def writes_by(sandbox, i, server_id):
    """The newest GTIDs of server_id in node i's binary log (@@gtid_binlog_state)."""
    state = sandbox.sql(i, "SELECT @@gtid_binlog_state").split()[-1]
    return sorted(g for g in state.split(",") if g.count("-") == 2 and g.split("-")[1] == str(server_id))


def own_writes(sandbox, i):
    """The newest GTIDs node i wrote itself."""
    return writes_by(sandbox, i, node_server_id(sandbox, i))


def online(status, member):
    m = find_member(status, member)
    return m is not None and m["member_state"] == "ONLINE"


def all_online(grouter, sandbox, timeout_s=60):
    addrs = [sandbox.addr(i) for i in range(1, sandbox.nodes + 1)]
    return wait_group(grouter, lambda s: s if s.get("primary") and all(online(s, a) for a in addrs)
                      else None, timeout_s, "every node ONLINE with a primary")


def cleanup_group(sb, g):
    if g is not None:
        g.cleanup()
    for i in range(1, sb.nodes + 1):  # a test may leave a node stopped by SIGSTOP
        try:
            os.kill(sb.pid(i), signal.SIGCONT)
        except (AssertionError, ProcessLookupError):
            pass
    sb.destroy()


def start_group(tmp_path, group_options=None, route_options=None):
    """A fresh fenced 3-node sandbox and a grouter forming the group over it (weights kWeights;
    group_options and route_options as for group_sections); (sandbox, grouter) once every node is
    ONLINE."""
    sb = FencedSandbox(tmp_path / "sandbox")
    g = None
    try:
        sb.create()
        g = Grouter(tmp_path / "grouter",
                    group_sections(sb, weights=kWeights, group_options=group_options,
                                   route_options=route_options)).start()
        all_online(g, sb)
        return sb, g
    except BaseException:
        cleanup_group(sb, g)
        raise


def start_group_without_majority(tmp_path, route_options=None):
    """start_group, then nodes 3 and 1 (the primary) killed: with no majority left node2 is not
    promoted and the primary route has no member; (sandbox, grouter) once grouter says so."""
    sb, g = start_group(tmp_path, route_options=route_options)
    try:
        sb.kill(3)
        sb.kill(1)
        wait_until(lambda: "a majority of the view is not reachable" in g.log(), 30,
                   "grouter to report the missing majority")
        return sb, g
    except BaseException:
        cleanup_group(sb, g)
        raise


@pytest.fixture
def group(tmp_path):
    sb, g = start_group(tmp_path)
    try:
        yield sb, g
    finally:
        cleanup_group(sb, g)


def start_writer(sandbox, grouter, threads=8):
    w = RecordingWriter("127.0.0.1", grouter.route_port("primary"), "app", "app_pw", "test",
                        "acked", threads=threads, io_timeout=20)
    w.start()
    w.wait_acknowledged(200, 30)
    return w


def assert_no_acknowledged_write_lost(writer, sandbox, nodes, timeout_s=60):
    """Every acknowledged write is on nodes[0] (the primary) now, and reaches the others (secondaries:
    semi-sync acknowledges a write once a replica received it, applying it may lag) within
    timeout_s."""
    primary, *secondaries = nodes
    missing = writer.verify_all_present(host="127.0.0.1", port=sandbox.port(primary))
    assert not missing, f"node{primary} lacks {len(missing)} acknowledged writes, e.g. {missing[:5]}"
    for i in secondaries:
        last = []

        def present(i=i):
            last[:] = writer.verify_all_present(host="127.0.0.1", port=sandbox.port(i))
            return not last
        try:
            wait_until(present, timeout_s, f"node{i} to apply every acknowledged write")
        except AssertionError:
            raise AssertionError(f"node{i} lacks {len(last)} acknowledged writes, e.g. {last[:5]}") from None


def assert_same_data(sandbox, nodes, timeout_s=60):
    def equal():
        sums = {table_checksum("127.0.0.1", sandbox.port(i), "admin", "admin_pw", "test", "acked")
                for i in nodes}
        return len(sums) == 1
    wait_until(equal, timeout_s, f"equal table checksums on nodes {nodes}")


def test_group_forms_over_fresh_nodes_and_survives_a_grouter_restart(group):
    sb, g = group
    status = group_status(g)
    assert status["group_name"] == "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
    assert status["single_primary_mode"] is True
    primary = primary_member(status)
    assert primary["member_port"] == sb.port(3), "GR's rule: highest member_weight (80)"
    assert [m["member_role"] for m in status["members"] if m["member_port"] != sb.port(3)] == \
        ["SECONDARY", "SECONDARY"]
    assert seq_of(status) == 3, "one view change per member that joined"
    assert all(m["member_version"].startswith("10.11") for m in status["members"])
    # The primary is writable, the secondaries are fenced and replicate from it.
    assert sb.sql(3, "SELECT @@read_only").split()[-1] == "0"
    for i in (1, 2):
        assert sb.sql(i, "SELECT @@read_only").split()[-1] == "1"
    conn = MySQLdb.connect(host="127.0.0.1", port=g.route_port("primary"), user="app",
                           passwd="app_pw", db="test")
    cur = conn.cursor()
    cur.execute("CREATE TABLE formed (id INT PRIMARY KEY)")
    cur.execute("INSERT INTO formed VALUES (1)")
    conn.commit()
    conn.close()
    assert server_ids_through(g.route_port("primary"), 4) == {node_server_id(sb, 3)}
    assert server_ids_through(g.route_port("secondary")) == {node_server_id(sb, 1),
                                                              node_server_id(sb, 2)}
    wait_until(lambda: all(sb.sql(i, "SELECT COUNT(*) FROM test.formed").split()[-1] == "1"
                           for i in (1, 2)), 30, "the row on both secondaries")
    # MySQL Router's metadata-cache endpoints describe the same group.
    code, body = g.rest("/api/20190715/metadata")
    assert code == 200 and body["items"] == [{"name": "mygroup"}], body
    code, body = g.rest("/api/20190715/metadata/mygroup/config")
    assert code == 200 and body["groupReplicationId"] == status["group_name"], body
    assert sorted(n["port"] for n in body["nodes"]) == [sb.port(i) for i in (1, 2, 3)]
    code, body = g.rest("/api/20190715/metadata/mygroup/status")
    assert code == 200 and body["refreshSucceeded"] > 0, body
    # Semi-sync on the primary cannot fall back to asynchronous replication, and is set so again
    # when someone loosens it.
    semi_sync = "SELECT @@rpl_semi_sync_master_enabled, @@rpl_semi_sync_master_wait_point, " \
                "@@rpl_semi_sync_master_wait_no_slave, @@rpl_semi_sync_master_timeout"
    guarded = "1\tAFTER_SYNC\t1\t4294967295"
    assert sb.sql(3, semi_sync).splitlines()[-1] == guarded
    sb.sql(3, "SET GLOBAL rpl_semi_sync_master_timeout = 1000")
    wait_until(lambda: sb.sql(3, semi_sync).splitlines()[-1] == guarded, 10,
               "grouter to set the primary's semi-sync timeout again")
    assert "could fall back to asynchronous replication" in g.log()
    # A restarted grouter keeps the group: name, view fixed part, member ids, primary.
    g.stop()
    g.start()
    again = all_online(g, sb)
    assert again["group_name"] == status["group_name"]
    assert fixed_of(again) == fixed_of(status)
    assert {m["member_id"] for m in again["members"]} == {m["member_id"] for m in status["members"]}
    assert again["primary"] == status["primary"]


def test_nodes_that_already_replicate_keep_their_primary(tmp_path):
    sb = Sandbox(tmp_path / "sandbox", 3, kBase + 70)
    g = None
    try:
        sb.create()  # node1 is the primary, node2 and node3 replicate from it
        # The rule alone would pick node3 (weight 80): the existing topology wins.
        g = Grouter(tmp_path / "grouter", group_sections(sb, weights=kWeights)).start()
        status = all_online(g, sb)
        assert primary_member(status)["member_port"] == sb.port(1)
        assert server_ids_through(g.route_port("primary"), 3) == {node_server_id(sb, 1)}
    finally:
        if g is not None:
            g.cleanup()
        sb.destroy()


def test_killed_primary_fails_over_by_the_rule_without_losing_a_write_and_rejoins(group):
    sb, g = group
    before = group_status(g)
    old = primary_member(before)
    assert old["member_port"] == sb.port(3)
    writer = start_writer(sb, g)
    try:
        t_kill = time.monotonic()
        sb.kill(3)
        new = wait_for_primary(g, 30, exclude=[old])
        writer.wait_first_success_after(t_kill, 30)
        failover_s = writer.first_success_after(t_kill) - t_kill
        writer.wait_acknowledged(writer.counters()["acknowledged"] + 200, 30)
    finally:
        writer.stop()
    assert new["member_port"] == sb.port(2), "GR's rule: node2 (weight 50) over node1 (30)"
    assert failover_s < kKilledPrimaryBoundS, f"first write {failover_s:.2f}s after the kill"
    after = group_status(g)
    assert seq_of(after) == seq_of(before) + 1, "the expel is one view change"
    assert find_member(after, old)["member_state"] in ("ERROR", "OFFLINE")
    assert_no_acknowledged_write_lost(writer, sb, [2])
    # The secondary route serves only the ONLINE secondary.
    assert server_ids_through(g.route_port("secondary")) == {node_server_id(sb, 1)}
    # The old primary comes back through distributed recovery with the same data.
    sb.start(3)
    wait_member_state(g, old, "ONLINE", 60)
    back = group_status(g)
    assert find_member(back, old)["member_role"] == "SECONDARY"
    assert seq_of(back) == seq_of(after) + 1
    assert_same_data(sb, [1, 2, 3])
    assert_no_acknowledged_write_lost(writer, sb, [2, 1, 3])
    assert "RECOVERING" in g.log() or "joins" in g.log()


def test_the_elected_member_first_catches_up_to_the_most_advanced_received_set(group):
    """node2 (the rule's successor) stops receiving: the primary's replication account is locked
    and node2's receiver reconnects, in vain. node1 alone receives (and acknowledges) the next
    writes. When the primary is killed, node2 must fetch them from node1 before it is promoted."""
    sb, g = group
    writer = start_writer(sb, g, threads=4)
    try:
        sb.sql(3, "SET sql_log_bin = 0; ALTER USER 'repl'@'%' ACCOUNT LOCK")
        sb.sql(2, "STOP SLAVE IO_THREAD; START SLAVE IO_THREAD")
        wait_until(lambda: "Access denied" in sb.sql(2, "SHOW SLAVE STATUS"), 30,
                   "node2's receiver to be refused by the primary")
        received_by_node2 = sb.sql(2, "SELECT @@gtid_slave_pos").split()[-1]
        writer.wait_acknowledged(writer.counters()["acknowledged"] + 300, 30)
        sb.kill(3)
        new = wait_for_primary(g, 30, exclude=[sb.addr(3)])
        writer.wait_first_success_after(time.monotonic(), 30)
    finally:
        writer.stop()
    assert new["member_port"] == sb.port(2)
    assert "node2 catches up from node1" in g.log()
    assert sb.sql(2, "SELECT @@gtid_current_pos").split()[-1] != received_by_node2
    assert_no_acknowledged_write_lost(writer, sb, [2, 1])
    assert_same_data(sb, [1, 2])


def test_grouter_killed_during_a_failover_finishes_it_after_a_restart(group):
    """grouter is SIGKILLed while it fails over (the primary expelled, the successor elected but
    perhaps not yet promoted); the restarted grouter replays its log and finishes the failover from
    what the nodes show: every step is idempotent. Nothing acknowledged is lost."""
    sb, g = group
    writer = start_writer(sb, g, threads=4)
    holder = None
    try:
        # node2 must apply a backlog before it is promoted: the failover waits there.
        holder = give_successor_a_backlog(sb, g, 40)
        sb.kill(3)
        wait_until(lambda: "failover: node2 (" in g.log(), 30, "grouter to start the failover")
        assert group_status(g)["primary"] is None, "still catching up"
        g.proc.kill()
        g.proc.wait()
        g.start()
        assert group_status(g)["primary"] is None, "the restarted grouter must finish the failover"
        release_backlog(holder)
        holder = None
        new = wait_for_primary(g, 30, exclude=[sb.addr(3)])
        restarted = time.monotonic()
        writer.wait_first_success_after(restarted, 30)
        writer.wait_acknowledged(writer.counters()["acknowledged"] + 200, 30)
    finally:
        if holder is not None:
            holder.close()
        writer.stop()
    assert new["member_port"] == sb.port(2)
    assert g.full_log().count("failover: node2 (") == 2, \
        "the restarted grouter fails over again"
    assert sb.sql(2, "SELECT COUNT(*) FROM test.backlog").split()[-1] == "40"
    assert sb.sql(2, "SELECT @@read_only").split()[-1] == "0"
    assert sb.sql(1, "SELECT @@read_only").split()[-1] == "1"
    assert_no_acknowledged_write_lost(writer, sb, [2, 1])
    assert_same_data(sb, [1, 2])
    # The old primary still rejoins through recovery.
    sb.start(3)
    wait_member_state(g, sb.addr(3), "ONLINE", 60)
    assert_same_data(sb, [1, 2, 3])


def test_hung_primary_is_expelled_fenced_and_rejoins_without_taking_a_write(group):
    sb, g = group
    old = primary_member(group_status(g))
    writer = start_writer(sb, g)
    # Nothing is in flight to node3 during the hang: statements sent to a hung server wait in its
    # socket and run when it resumes, though no client hears of them (the next test). grouter
    # closes the sessions to the primary once it is suspected; the writer resumes after that.
    writer.pause()
    with stopped_process(sb.pid(3)):
        t_stop = time.monotonic()
        wait_member_state(g, old, "UNREACHABLE", 30)
        writer.resume()
        new = wait_for_primary(g, 30, exclude=[old])
        writer.wait_first_success_after(t_stop, 30)
        failover_s = writer.first_success_after(t_stop) - t_stop
        assert failover_s < kHungPrimaryBoundS, f"first write {failover_s:.2f}s after the hang"
        assert find_member(group_status(g), old)["member_state"] == "ERROR"
    # SIGCONT: the old primary is fenced, then rejoins as a secondary through recovery.
    wait_member_state(g, old, "ONLINE", 60)
    writer.wait_acknowledged(writer.counters()["acknowledged"] + 200, 30)
    writer.stop()
    assert new["member_port"] == sb.port(2)
    status = group_status(g)
    assert find_member(status, old)["member_role"] == "SECONDARY"
    assert sb.sql(3, "SELECT @@read_only").split()[-1] == "1"
    assert_no_acknowledged_write_lost(writer, sb, [2, 1, 3])
    assert_same_data(sb, [1, 2, 3])
    # The old primary took no write the group does not have: gtid_binlog_state keeps the newest
    # GTID of every (domain, server) pair, and node3's own pair is the same on node3 and on the
    # new primary.
    assert own_writes(sb, 3), "node3 wrote as the primary"
    assert own_writes(sb, 3) == writes_by(sb, 2, node_server_id(sb, 3))
    assert "fenced node3" in g.log()


def test_hung_primary_under_load_is_replaced_and_its_unacknowledged_tail_is_not_merged(group):
    """Statements sent to a hung primary wait in its socket and run when it resumes (SIGCONT); they
    commit locally, though no client is acknowledged any more (grouter closed their sessions) and
    no member receives them. GR calls such transactions errant: the old primary must not merge them silently, so it
    stays ERROR with the reason unless it had none."""
    sb, g = group
    old = primary_member(group_status(g))
    writer = start_writer(sb, g)
    with stopped_process(sb.pid(3)):
        t_stop = time.monotonic()
        wait_for_primary(g, 30, exclude=[old])
        writer.wait_first_success_after(t_stop, 30)
        assert writer.first_success_after(t_stop) - t_stop < kHungPrimaryBoundS
    m = wait_member(g, old, lambda m: m is not None and (
        m["member_state"] == "ONLINE" or "errant transactions" in m["state_reason"]), 60,
        "the old primary to rejoin or to be ERROR with errant transactions")
    writer.stop()
    assert_no_acknowledged_write_lost(writer, sb, [2, 1])
    assert sb.sql(3, "SELECT @@read_only").split()[-1] == "1", "fenced either way"
    if m["member_state"] != "ONLINE":
        assert m["member_state"] == "ERROR" and "-%d-" % node_server_id(sb, 3) in m["state_reason"]
        # ... and it takes no traffic.
        assert node_server_id(sb, 3) not in server_ids_through(g.route_port("secondary"))


def session_on(g, route, server_id, tries=12):
    """A MySQLdb session through `route` that reached the node with server_id (round robin: one of
    the first few does)."""
    for _ in range(tries):
        conn = MySQLdb.connect(host="127.0.0.1", port=g.route_port(route), user="app",
                               passwd="app_pw", db="test", connect_timeout=5)
        cur = conn.cursor()
        cur.execute("SELECT @@server_id")
        if int(cur.fetchone()[0]) == server_id:
            return conn
        conn.close()
    raise AssertionError(f"no session through {route} reached server_id {server_id}")


def test_errant_write_on_a_secondary_puts_it_in_error_without_traffic(group):
    sb, g = group
    session = session_on(g, "secondary", node_server_id(sb, 1))
    # admin has READ ONLY ADMIN: read_only does not stop it, as GR's docs warn for SUPER.
    sb.sql(1, "CREATE TABLE test.errant (id INT PRIMARY KEY); INSERT INTO test.errant VALUES (1)")
    m = wait_member_state(g, sb.addr(1), "ERROR", 30)
    assert "errant" in m["state_reason"] or "error" in m["state_reason"], m
    assert server_ids_through(g.route_port("secondary")) == {node_server_id(sb, 2)}
    # The session that was on node1 was closed when node1 left ONLINE.
    with pytest.raises(MySQLdb.OperationalError):
        session.cursor().execute("SELECT 1")
    # Writes through the primary route go on.
    writer = start_writer(sb, g, threads=2)
    writer.stop()
    assert_no_acknowledged_write_lost(writer, sb, [3, 2])


def test_errant_write_during_a_rejoin_is_caught(group):
    """A write on a node after recovery checked it against the primary (it is RECOVERING from a
    donor, or just ONLINE): errant all the same."""
    sb, g = group
    sb.stop(1)
    wait_member_not_online(g, sb.addr(1), 30)
    def recoveries():
        return g.full_log().count("recovery of node1: donor")
    started = recoveries()
    sb.start(1)
    wait_until(lambda: recoveries() > started, 30,
               "recovery of node1 to have checked it and picked a donor")
    sb.sql(1, "CREATE TABLE test.errant_rejoin (id INT PRIMARY KEY)")
    m = wait_member(g, sb.addr(1), lambda m: m is not None and m["member_state"] == "ERROR", 30,
                    "node1 to be ERROR for its own write")
    assert "errant transaction" in m["state_reason"], m
    assert node_server_id(sb, 1) not in server_ids_through(g.route_port("secondary"))


def test_two_of_three_killed_no_promotion_until_one_returns(group):
    sb, g = group
    old = primary_member(group_status(g))
    sb.kill(3)
    sb.kill(1)
    # grouter sees that it cannot expel without a majority, and says so.
    wait_until(lambda: "a majority of the view is not reachable" in g.log(), 30,
               "grouter to report the missing majority")
    status = group_status(g)
    assert status["primary"] in (None, old["member_id"])
    assert find_member(status, sb.addr(2))["member_role"] != "PRIMARY"
    assert sb.sql(2, "SELECT @@read_only").split()[-1] == "1", "the minority stays fenced"
    # One node returns: a majority again; the dead primary is expelled and node2 promoted.
    sb.start(1)
    new = wait_for_primary(g, 60, exclude=[old])
    assert new["member_port"] == sb.port(2)
    writer = start_writer(sb, g, threads=2)
    writer.stop()
    assert_no_acknowledged_write_lost(writer, sb, [2, 1])


def test_secondary_route_falls_back_to_the_primary_without_an_online_secondary(group):
    sb, g = group
    primary_id = node_server_id(sb, 3)
    sb.kill(1)
    wait_member_not_online(g, sb.addr(1), 30)
    sb.kill(2)  # the last secondary: UNREACHABLE, and no majority left to expel it
    wait_member_not_online(g, sb.addr(2), 30)
    assert primary_member(group_status(g))["member_port"] == sb.port(3)
    # round-robin-with-fallback: reads go to the primary while no secondary is ONLINE.
    assert server_ids_through(g.route_port("secondary"), 4) == {primary_id}
    sb.start(1, 2)
    for i in (1, 2):
        wait_member_state(g, sb.addr(i), "ONLINE", 60)
    assert primary_id not in server_ids_through(g.route_port("secondary"))


def test_switchover_under_load_loses_nothing(group):
    sb, g = group
    before = group_status(g)
    old = primary_member(before)
    target = find_member(before, sb.addr(1))
    writer = start_writer(sb, g)
    try:
        code, body = switchover(g, target["member_id"])
        assert code == 200, body
        writer.wait_acknowledged(writer.counters()["acknowledged"] + 200, 30)
    finally:
        writer.stop()
    status = group_status(g)
    assert status["primary"] == target["member_id"]
    assert seq_of(status) == seq_of(before), "a switchover changes the primary, not the view"
    wait_member_state(g, old, "ONLINE", 30)
    assert find_member(group_status(g), old)["member_role"] == "SECONDARY"
    assert sb.sql(3, "SELECT @@read_only").split()[-1] == "1"
    assert_no_acknowledged_write_lost(writer, sb, [1, 2, 3])
    assert_same_data(sb, [1, 2, 3])
    # Unknown members and non-ONLINE ones are refused with the reason.
    code, body = switchover(g, "00000000-0000-0000-0000-000000000000")
    assert code == 400 and "no member" in body["error"], (code, body)


def test_exit_state_action_applies_after_unreachable_majority_timeout(tmp_path):
    sb, g = start_group(tmp_path, {"unreachable_majority_timeout": 2,
                                   "exit_state_action": "OFFLINE_MODE"})
    try:
        session = session_on(g, "secondary", node_server_id(sb, 2))
        sb.kill(3)
        sb.kill(1)
        wait_until(lambda: "exit_state_action=OFFLINE_MODE" in g.log(), 30,
                   "grouter to apply exit_state_action")
        # OFFLINE_MODE: the routes serve nothing, and the open session was closed.
        status, body = g.rest("/api/20190715/routes/secondary/destinations")
        assert status == 200 and body["items"] == [], body
        with pytest.raises(MySQLdb.OperationalError):
            session.cursor().execute("SELECT 1")
        # A majority again: the routes serve the group again.
        sb.start(1)
        wait_until(lambda: "reachable again: routes serve the group again" in g.log(), 60,
                   "grouter to lift exit_state_action")
        assert server_ids_through(g.route_port("secondary"), 4)
    finally:
        cleanup_group(sb, g)


kAdminAccounts = ("'admin'@'%'", "'admin'@'localhost'")
# (what breaks node1, the reason grouter must give, what fixes it). Account changes are kept out of
# the binary log: logged, they would be transactions the group does not have.
kUnmetRequirements = {
    "relay_log_recovery": ("SET GLOBAL relay_log_recovery = ON",
                           "relay_log_recovery is ON (it deletes the relay log at start, which may "
                           "hold the only copy of acknowledged transactions)",
                           "SET GLOBAL relay_log_recovery = OFF"),
    "gtid_strict_mode": ("SET GLOBAL gtid_strict_mode = OFF", "gtid_strict_mode is OFF",
                         "SET GLOBAL gtid_strict_mode = ON"),
    "privileges": (
        "SET sql_log_bin = 0; " + " ".join(
            f"REVOKE SUPER, READ_ONLY ADMIN, CONNECTION ADMIN ON *.* FROM {a};" for a in kAdminAccounts),
        "cluster_user lacks the global privilege(s) READ_ONLY ADMIN, CONNECTION ADMIN "
        "(GRANT them ON *.*)",
        "SET sql_log_bin = 0; " + " ".join(
            f"GRANT SUPER, READ_ONLY ADMIN, CONNECTION ADMIN ON *.* TO {a};" for a in kAdminAccounts)),
}


@pytest.mark.parametrize("requirement", sorted(kUnmetRequirements))
def test_node_missing_a_requirement_is_error_with_the_reason_until_fixed(tmp_path, requirement):
    breaks, reason, fixes = kUnmetRequirements[requirement]
    sb = FencedSandbox(tmp_path / "sandbox")
    g = None
    try:
        sb.create()
        sb.sql(1, breaks)
        g = Grouter(tmp_path / "grouter", group_sections(sb, weights=kWeights)).start()
        m = wait_member_state(g, sb.addr(1), "ERROR", 30)
        assert m["state_reason"] == reason, m
        assert m["member_role"] == ""
        primary = wait_for_primary(g, 30)
        assert primary["member_port"] == sb.port(3)
        wait_member_state(g, sb.addr(2), "ONLINE", 30)
        assert sb.sql(1, "SELECT @@read_only").split()[-1] == "1"
        assert node_server_id(sb, 1) not in server_ids_through(g.route_port("secondary"))
        # Fixed on the node: it joins through recovery.
        sb.sql(1, fixes)
        wait_member_state(g, sb.addr(1), "ONLINE", 30)
        assert find_member(group_status(g), sb.addr(1))["member_role"] == "SECONDARY"
    finally:
        cleanup_group(sb, g)


def test_recovery_without_the_binary_logs_it_needs_ends_in_error_after_the_retries(tmp_path):
    sb, g = start_group(tmp_path, {"recovery_retry_count": 2, "recovery_reconnect_interval": 1,
                                   "autorejoin_tries": 0})
    try:
        sb.stop(1)
        wait_member_state(g, sb.addr(1), "ERROR", 30)
        writer = start_writer(sb, g, threads=2)
        writer.stop()
        # Every donor loses the binary logs node1 would need. (MariaDB keeps the previous file
        # until its binlog checkpoint has moved on, so PURGE is repeated until it took.)
        for i in (2, 3):
            sb.sql(i, "FLUSH BINARY LOGS")
            last = sb.sql(i, "SHOW BINARY LOGS").split()[-2]

            def purged(i=i, last=last):
                sb.sql(i, f"PURGE BINARY LOGS TO '{last}'")
                return sb.sql(i, "SHOW BINARY LOGS").split()[0] == last
            wait_until(purged, 30, f"node{i} to purge its binary logs before {last}")
        sb.start(1)
        m = wait_member(g, sb.addr(1), lambda m: m is not None and m["member_state"] == "ERROR"
                        and "binary logs" in m["state_reason"], 60,
                        "node1 to be ERROR for missing binary logs")
        assert "1236" in m["state_reason"], m
        log = g.log()
        assert "attempt 1 of 2" in log and "attempt 2 of 2" in log
        assert node_server_id(sb, 1) not in server_ids_through(g.route_port("secondary"))
    finally:
        cleanup_group(sb, g)


def test_recovery_that_cannot_connect_to_a_donor_ends_in_error_and_heals_with_the_right_password(
        tmp_path):
    """A wrong recovery_password: every joiner's receiver is refused by every donor (MariaDB keeps
    reconnecting, 'Connecting' with error 1045). Each attempt gives up after member_suspicion_timeout;
    after recovery_retry_count attempts the joiner is ERROR with the server's error. Restarted with
    the right password, grouter rejoins them."""
    sb = FencedSandbox(tmp_path / "sandbox")
    g = None
    try:
        sb.create()
        sections = group_sections(sb, weights=kWeights, group_options={
            "recovery_password": "wrong", "recovery_retry_count": 2,
            "recovery_reconnect_interval": 1, "autorejoin_tries": 0})
        g = Grouter(tmp_path / "grouter", sections).start()
        primary = wait_for_primary(g, 30)
        assert primary["member_port"] == sb.port(3)
        for i in (1, 2):
            m = wait_member(g, sb.addr(i), lambda m: m is not None and m["member_state"] == "ERROR",
                            60, f"node{i} to be ERROR after its recovery attempts")
            assert "distributed recovery failed after 2 attempt(s)" in m["state_reason"], m
            assert "error 1045 connecting to the donor" in m["state_reason"], m
        assert "attempt 2 of 2" in g.log()
        # No secondary is ONLINE: reads fall back to the primary.
        assert server_ids_through(g.route_port("secondary"), 4) == {node_server_id(sb, 3)}
        g.stop()
        g.sections["group_replication"]["recovery_password"] = "repl_pw"
        g.start()
        all_online(g, sb)
    finally:
        cleanup_group(sb, g)
