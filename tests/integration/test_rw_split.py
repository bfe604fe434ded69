"""The read/write-splitting route (MySQL Router's access_mode = auto) over a real group: one port,
reads on a secondary, writes and transactions on the primary, ROUTER SET access_mode, the session's
group_replication_consistency, and reads that must see writes (wait_for_my_writes, BEFORE) while
the secondaries' appliers are held on a table lock. Clients: PyMySQL, MySQLdb, the mariadb CLI.

The group: node3 (weight 80) is the primary, node1 and node2 the secondaries."""
import threading

import MySQLdb
import pymysql
import pytest

from clients import cli, connectorj, mysql2, query, scalar
from harness import wait_until
from split_harness import (kPrimary, kSecondaries, connect, server, split_group,  # noqa: F401
                           wait_replicated)
from writer import mysql_connect


def test_reads_go_to_a_secondary_writes_and_transactions_to_the_primary(split_group):
    sb, g = split_group
    conn = connect(g)
    try:
        assert server(conn) in kSecondaries
        query(conn, "INSERT INTO split VALUES (1)")
        assert scalar(conn, "SELECT @@server_id FROM split WHERE id = 1 FOR UPDATE") == kPrimary
        query(conn, "BEGIN")
        assert server(conn) == kPrimary  # inside a transaction: the primary
        query(conn, "COMMIT")
        assert server(conn) in kSecondaries
        query(conn, "START TRANSACTION READ ONLY")
        first = server(conn)
        assert first in kSecondaries
        assert server(conn) == first  # the read-only transaction stays on its secondary
        query(conn, "COMMIT")
        query(conn, "SET autocommit = 0")
        assert server(conn) == kPrimary
        query(conn, "SET autocommit = 1")
        assert server(conn) in kSecondaries
    finally:
        conn.close()


def test_session_state_follows_the_session_to_the_secondary(split_group):
    sb, g = split_group
    conn = connect(g)
    try:
        query(conn, "SET @marker = 42")
        query(conn, "SET SESSION sql_mode = 'ANSI_QUOTES'")
        query(conn, "USE sbtest")
        row = query(conn, "SELECT @@server_id, @marker, @@SESSION.sql_mode, DATABASE()")[0]
        assert row[0] in kSecondaries
        assert row[1] == 42 and row[2] == "ANSI_QUOTES" and row[3] == "sbtest", row
    finally:
        conn.close()


def test_router_set_access_mode_overrides_the_split(split_group):
    sb, g = split_group
    conn = connect(g)
    try:
        query(conn, "ROUTER SET access_mode = 'read_write'")
        assert server(conn) == kPrimary
        query(conn, "ROUTER SET access_mode = 'read_only'")
        assert server(conn) in kSecondaries
        with pytest.raises(pymysql.err.OperationalError) as refused:
            query(conn, "INSERT INTO split VALUES (99)")  # a read-only secondary refuses it
        assert refused.value.args[0] == 1290, refused.value.args
        query(conn, "ROUTER SET access_mode = 'auto'")
        assert server(conn) in kSecondaries
        with pytest.raises(pymysql.err.MySQLError) as bad:
            query(conn, "ROUTER SET access_mode = 'sometimes'")
        assert bad.value.args[0] == 1064, bad.value.args
    finally:
        conn.close()


def test_the_session_consistency_is_set_and_read_back(split_group):
    sb, g = split_group
    conn = connect(g)
    try:
        assert scalar(conn, "SELECT @@SESSION.group_replication_consistency") == \
            "BEFORE_ON_PRIMARY_FAILOVER"
        query(conn, "SET @@SESSION.group_replication_consistency = 'BEFORE'")
        assert scalar(conn, "SELECT @@SESSION.group_replication_consistency") == "BEFORE"
        with pytest.raises(pymysql.err.MySQLError) as bad:
            query(conn, "SET @@SESSION.group_replication_consistency = 'SOON'")
        assert bad.value.args[0] == 1231, bad.value.args
        assert scalar(conn, "SELECT @@group_replication_consistency") == "BEFORE"
    finally:
        conn.close()
    other = connect(g, "rw_before")
    try:
        assert scalar(other, "SELECT @@SESSION.group_replication_consistency") == "BEFORE"
    finally:
        other.close()


class HeldAppliers:
    """Holds the secondaries' appliers on a READ lock of test.split (reads still run)."""

    def __init__(self, sb):
        self.holders = []
        for i in kSecondaries:
            h = mysql_connect("127.0.0.1", sb.port(i), "admin", "admin_pw", "test")
            query(h, "LOCK TABLES split READ")
            self.holders.append(h)

    def release(self):
        for h in self.holders:
            query(h, "UNLOCK TABLES")
            h.close()
        self.holders = []


def gtid_waits_on(sb, nodes):
    """True when each of nodes runs a MASTER_GTID_WAIT (grouter waiting on it)."""
    return all("MASTER_GTID_WAIT" in sb.sql(i, "SELECT GROUP_CONCAT(INFO) FROM "
                                               "information_schema.PROCESSLIST") for i in nodes)


def count_where(conn, key):
    return query(conn, f"SELECT @@server_id, COUNT(*) FROM split WHERE id = {key}")[0]


def test_wait_for_my_writes_reads_the_sessions_own_write(split_group):
    sb, g = split_group
    held = HeldAppliers(sb)
    try:
        waiting = connect(g)
        eventual = connect(g, "rw_nowait")
        query(waiting, "INSERT INTO split VALUES (100)")
        query(eventual, "INSERT INTO split VALUES (101)")
        # Without the wait the read runs on a held secondary and misses the session's own write.
        server_id, seen = count_where(eventual, 101)
        assert server_id in kSecondaries and seen == 0
        # With it, the read waits wait_for_my_writes_timeout (2 s) on the secondary, then runs on
        # the primary: it sees the write.
        server_id, seen = count_where(waiting, 100)
        assert seen == 1 and server_id == kPrimary
    finally:
        held.release()
    wait_replicated(sb, "SELECT COUNT(*) FROM test.split WHERE id IN (100, 101)", 2)
    server_id, seen = count_where(waiting, 100)
    assert seen == 1 and server_id in kSecondaries  # caught up: the secondary again
    waiting.close()
    eventual.close()


def test_before_waits_on_the_secondary_for_what_the_group_committed(split_group):
    sb, g = split_group
    reader = connect(g, "rw_before")
    assert server(reader) in kSecondaries  # opens the secondary leg
    held = HeldAppliers(sb)
    try:
        writer = connect(g, "primary")  # another session's write, acknowledged by the primary
        query(writer, "INSERT INTO split VALUES (200)")
        writer.close()
        read = WaitingRead(sb, reader, 200)
    finally:
        held.release()
    server_id, seen = read.result()
    assert server_id in kSecondaries and seen == 1
    reader.close()


class WaitingRead:
    """Reads key through conn in a thread, and checks that the read waits on a secondary
    (MASTER_GTID_WAIT) without an answer while its applier is held."""

    def __init__(self, sb, conn, key):
        self.row = {}
        self.thread = threading.Thread(target=lambda: self.row.update(row=count_where(conn, key)))
        self.thread.start()
        wait_until(lambda: any(gtid_waits_on(sb, [i]) for i in kSecondaries), 10,
                   "the BEFORE read to wait on a secondary")
        assert "row" not in self.row

    def result(self):
        self.thread.join(20)
        return self.row["row"]


def test_before_on_a_route_to_one_secondary(split_group):
    """A terminated ?role=SECONDARY route has no primary leg: under BEFORE a read first waits on
    its secondary for the primary's position (read by grouter over cluster_user), and a wait that
    times out (8 s) fails with GR's ER_GR_HOLD_WAIT_TIMEOUT; EVENTUAL reads stale data there."""
    sb, g = split_group
    reader = connect(g, "ro_before", io_timeout=60)
    stale = connect(g, "ro_t", io_timeout=60)
    query(stale, "SET @@SESSION.group_replication_consistency = 'EVENTUAL'")
    held = HeldAppliers(sb)
    try:
        writer = connect(g, "primary")
        query(writer, "INSERT INTO split VALUES (210)")
        writer.close()
        server_id, seen = count_where(stale, 210)
        assert server_id in kSecondaries and seen == 0  # EVENTUAL: the held secondary as it is
        read = WaitingRead(sb, reader, 210)
    finally:
        held.release()
    server_id, seen = read.result()
    assert server_id in kSecondaries and seen == 1

    # The session's own level: BEFORE on the default route, and the wait's timeout.
    query(stale, "SET @@SESSION.group_replication_consistency = 'BEFORE'")
    held = HeldAppliers(sb)
    try:
        writer = connect(g, "primary")
        query(writer, "INSERT INTO split VALUES (211)")
        writer.close()
        with pytest.raises(pymysql.err.OperationalError) as timed_out:
            count_where(stale, 211)
        assert timed_out.value.args[0] == 3781, timed_out.value.args
        assert "BEFORE" in timed_out.value.args[1]
    finally:
        held.release()
    assert count_where(stale, 211)[1] == 1  # the session goes on, and now sees it
    reader.close()
    stale.close()


def test_after_delays_the_ok_until_every_secondary_applied_the_write(split_group):
    sb, g = split_group
    writer = connect(g, "rw", io_timeout=60)
    query(writer, "SET @@SESSION.group_replication_consistency = 'AFTER'")
    assert scalar(writer, "SELECT @@SESSION.group_replication_consistency") == "AFTER"
    held = HeldAppliers(sb)
    result = {}
    try:
        def write():
            query(writer, "INSERT INTO split VALUES (800)")
            result["acknowledged"] = True
        t = threading.Thread(target=write)
        t.start()
        # The write is committed on the primary, but its OK waits for the held secondaries:
        # grouter waits on them (MASTER_GTID_WAIT as cluster_user).
        wait_until(lambda: sb.sql(kPrimary, "SELECT COUNT(*) FROM test.split WHERE id = 800"
                                  ).split()[-1] == "1", 10, "the write to commit on the primary")
        wait_until(lambda: gtid_waits_on(sb, kSecondaries), 10, "grouter to wait on both secondaries")
        assert "acknowledged" not in result
    finally:
        held.release()
    t.join(30)
    assert result.get("acknowledged"), "the OK never came"
    # Once acknowledged, every secondary already has it: no wait needed to read it anywhere.
    for i in kSecondaries:
        assert sb.sql(i, "SELECT COUNT(*) FROM test.split WHERE id = 800").split()[-1] == "1"
    writer.close()


def test_eventual_may_read_stale_data(split_group):
    sb, g = split_group
    reader = connect(g, "rw_nowait")
    query(reader, "SET @@SESSION.group_replication_consistency = 'EVENTUAL'")
    held = HeldAppliers(sb)
    try:
        writer = connect(g, "primary")
        query(writer, "INSERT INTO split VALUES (300)")
        writer.close()
        server_id, seen = count_where(reader, 300)
        assert server_id in kSecondaries and seen == 0
    finally:
        held.release()
        reader.close()


def test_mysqldb_and_the_cli_on_the_split_port(split_group):
    sb, g = split_group
    db = MySQLdb.connect(host="127.0.0.1", port=g.route_port("rw"), user="app", passwd="app_pw",
                         db="test", connect_timeout=10, autocommit=True)
    try:
        cur = db.cursor()
        cur.execute("SELECT @@server_id")
        assert cur.fetchone()[0] in kSecondaries
        cur.execute("INSERT INTO split VALUES (400)")
        db.commit()
        cur.execute("SELECT COUNT(*) FROM split WHERE id = 400")
        assert cur.fetchone()[0] == 1  # its own write, waited for
    finally:
        db.close()
    done = cli(g.route_port("rw"), "SELECT @@server_id; SELECT @@server_id FOR UPDATE")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.split()
    assert int(first) in kSecondaries and int(second) == kPrimary


DRIVER_STATEMENTS = [
    "SELECT @@server_id",                         # a read: a secondary
    "ps:SELECT CAST(? AS SIGNED) + 1, @@server_id|41",            # a prepared statement: the primary
    "START TRANSACTION",
    "ps:INSERT INTO test.split VALUES (?)|{key}",
    "SELECT @@server_id",                         # inside the transaction: the primary
    "COMMIT",
    "SELECT COUNT(*), @@server_id FROM test.split WHERE id = {key}",  # its own write, waited for
]


def run_driver(driver, g, key, classes=None, **kw):
    statements = [s.replace("{key}", str(key)) for s in DRIVER_STATEMENTS]
    if driver == "connectorj":
        return connectorj(classes, g.route_port("rw"), statements,
                          options={"useServerPrepStmts": "true"}, **kw)
    return mysql2(g.route_port("rw"), statements, **kw)


@pytest.mark.parametrize("driver, key", [("connectorj", 600), ("mysql2", 700)])
def test_connectorj_and_mysql2_on_the_split_port(split_group, connectorj_classes, mysql2_installed,
                                                 driver, key):
    sb, g = split_group
    held = HeldAppliers(sb)  # the secondaries lag: the driver must still read its own write
    try:
        run = run_driver(driver, g, key, connectorj_classes)
    finally:
        held.release()
    assert run.connected and run.errors == [], run.lines
    rows = run.rows
    assert int(rows[0][0]) in kSecondaries, rows
    assert rows[1][0] == "42" and int(rows[1][1]) == kPrimary, rows
    assert int(rows[2][0]) == kPrimary, rows
    assert rows[3][0] == "1", rows  # read on the primary after the wait timed out
    denied = (connectorj(connectorj_classes, g.route_port("rw"), ["SELECT 1"], password="wrong")
              if driver == "connectorj" else mysql2(g.route_port("rw"), ["SELECT 1"], password="wrong"))
    assert not denied.connected
    assert denied.errors and denied.errors[0].code == 1045, denied.lines
