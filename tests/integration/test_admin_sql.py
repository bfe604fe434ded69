"""The admin SQL port ([admin]): GR's statements over the MySQL protocol on a real 3-node group, with
the mariadb CLI, PyMySQL and MySQLdb. Each statement is checked against what it must show or do
(the members table against REST, a switchover through REST, runtime options read back and kept
over a grouter restart, a member stopped and started, a group bootstrapped from SQL), the seeds'
statements as written, each bad input for its MySQL error code and for the group being unchanged,
and the bounds: a flooding client that never reads stalls itself only, a malformed or oversized
packet ends that session only, sessions are limited (1040).
"""
import contextlib
import os
import re
import time

import pymysql
import pytest

from clients import cli, connect as app_connect, frame, mysqldb_connect, raw_connect, raw_login, read_packet
from group_harness import (FencedSandbox, fenced_group, find_member, group_sections,  # noqa: F401
                           group_status, wait_for_primary, wait_group, wait_member_state)
from harness import Grouter, free_port, is_listening, wait_until

ADMIN_USER, ADMIN_PASSWORD = "admin", "admin_pw"  # group_sections' cluster_user
MEMBERS = "performance_schema.replication_group_members"
STATS = "performance_schema.replication_group_member_stats"
MEMBER_COLUMNS = ["CHANNEL_NAME", "MEMBER_ID", "MEMBER_HOST", "MEMBER_PORT", "MEMBER_STATE",
                  "MEMBER_ROLE", "MEMBER_VERSION", "MEMBER_COMMUNICATION_STACK"]
STATS_COLUMNS = ["CHANNEL_NAME", "VIEW_ID", "MEMBER_ID", "COUNT_TRANSACTIONS_IN_QUEUE",
                 "COUNT_TRANSACTIONS_CHECKED", "COUNT_CONFLICTS_DETECTED",
                 "COUNT_TRANSACTIONS_ROWS_VALIDATING", "TRANSACTIONS_COMMITTED_ALL_MEMBERS",
                 "LAST_CONFLICT_FREE_TRANSACTION", "COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE",
                 "COUNT_TRANSACTIONS_REMOTE_APPLIED", "COUNT_TRANSACTIONS_LOCAL_PROPOSED",
                 "COUNT_TRANSACTIONS_LOCAL_ROLLBACK"]
kTypeLong, kTypeLongLong, kTypeBlob, kTypeString = 3, 8, 252, 254


@pytest.fixture(scope="module")
def admin(fenced_group, tmp_path_factory):  # noqa: F811
    """A grouter keeping the group over the module's fenced sandbox, with [admin] on a free port;
    (grouter, admin port, sandbox) once every node is ONLINE."""
    port = free_port()
    sections = group_sections(fenced_group)
    sections["admin"] = {"bind_address": "127.0.0.1", "bind_port": port}
    g = Grouter(tmp_path_factory.mktemp("admin_grouter"), sections).start()
    try:
        wait_until(lambda: is_listening(port), 20, "the admin port to listen")
        wait_group(g, lambda s: s.get("primary") and all(m["member_state"] == "ONLINE"
                                                         for m in s["members"]) and s,
                   60, "every member ONLINE with a primary")
        yield g, port, fenced_group
    finally:
        g.cleanup()


def connect(port, user=ADMIN_USER, password=ADMIN_PASSWORD, **kw):
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                           connect_timeout=10, read_timeout=60, **kw)


@contextlib.contextmanager
def session(port, **kw):
    """An admin session for the block."""
    conn = connect(port, **kw)
    try:
        yield conn
    finally:
        conn.close()


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def described(conn, sql):
    """(column names, type codes, rows) of a query."""
    with conn.cursor() as cur:
        cur.execute(sql)
        return [d[0] for d in cur.description], [d[1] for d in cur.description], cur.fetchall()


def error_of(conn, sql):
    """(code, message) of the error SQL must raise."""
    try:
        rows(conn, sql)
    except pymysql.err.MySQLError as err:
        return err.args[0], err.args[1]
    raise AssertionError(f"{sql!r} succeeded; an error was expected")


def admin_cli(port, sql, extra=()):
    return cli(port, sql, user=ADMIN_USER, password=ADMIN_PASSWORD, extra=extra)


def test_mariadb_cli_connects_and_its_chatter_works(admin):
    g, port, _ = admin
    # What the interactive CLI sends at connect (@@version_comment), then a session's usual chatter.
    done = admin_cli(port, "SELECT @@version_comment LIMIT 1; SET NAMES utf8mb4; SET autocommit=1;"
                           " SHOW DATABASES; SELECT DATABASE(); USE node2; SELECT DATABASE();"
                           " SHOW WARNINGS")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "grouter admin port (Group Replication SQL)"
    assert lines[1:5] == ["performance_schema", "node1", "node2", "node3"]
    assert lines[5:] == ["NULL", "node2"]


def test_pymysql_and_mysqldb_connect_ping_and_choose_a_member(admin):
    _, port, _ = admin
    conn = connect(port, database="node1")  # the schema of the handshake is a USE
    try:
        conn.ping(reconnect=False)
        assert rows(conn, "SELECT DATABASE()") == (("node1",),)
        conn.select_db("node3")  # COM_INIT_DB
        assert rows(conn, "SELECT DATABASE()") == (("node3",),)
    finally:
        conn.close()
    db = mysqldb_connect(port, user=ADMIN_USER, password=ADMIN_PASSWORD)
    try:
        db.ping()
        cur = db.cursor()
        cur.execute("SELECT COUNT_TRANSACTIONS_IN_QUEUE FROM " + STATS)
        assert len(cur.fetchall()) == 3
    finally:
        db.close()


def test_members_table_matches_the_group_with_grs_columns_and_types(admin):
    g, port, sb = admin
    with session(port) as conn:
        names, types, table = described(conn, f"SELECT * FROM {MEMBERS}")
        assert names == MEMBER_COLUMNS
        assert types == [kTypeString] * 3 + [kTypeLong] + [kTypeString] * 4
        status = group_status(g)
        expected = {(m["member_id"], m["member_host"], m["member_port"], m["member_state"],
                     m["member_role"]) for m in status["members"]}
        assert {(r[1], r[2], r[3], r[4], r[5]) for r in table} == expected
        assert {r[0] for r in table} == {"group_replication_applier"}
        assert {r[7] for r in table} == {"grouter"}
        assert all("MariaDB" in r[6] for r in table)

        primary = status["primary"]
        assert rows(conn, f"SELECT member_id FROM {MEMBERS} WHERE MEMBER_ROLE = 'PRIMARY'") == \
            ((primary,),)
        ports = rows(conn, f"SELECT MEMBER_PORT, member_host FROM {MEMBERS} ORDER BY MEMBER_PORT DESC")
        assert [r[0] for r in ports] == sorted((sb.port(i) for i in (1, 2, 3)), reverse=True)
        assert rows(conn, f"SELECT MEMBER_PORT FROM {MEMBERS} ORDER BY 1 LIMIT 1 OFFSET 1") == \
            ((sb.port(2),),)
        assert rows(conn, f"SELECT MEMBER_PORT FROM {MEMBERS} ORDER BY 1 LIMIT 1, 2") == \
            ((sb.port(2),), (sb.port(3),))
        assert len(rows(conn, f"SELECT * FROM {MEMBERS} WHERE member_port IN ({sb.port(1)}, "
                              f"{sb.port(3)}) AND NOT (member_state <> 'ONLINE')")) == 2
        assert rows(conn, f"SELECT `MEMBER_HOST` AS h FROM `performance_schema`.`replication_group_members`"
                          f" WHERE member_role LIKE 'sec%' AND member_port >= {sb.port(1)}"
                          f" ORDER BY h LIMIT 1") == (("127.0.0.1",),)
        assert rows(conn, f"SELECT * FROM {MEMBERS} WHERE member_version IS NULL") == ()
    done = admin_cli(port, f"SELECT MEMBER_HOST, MEMBER_ROLE FROM {MEMBERS} ORDER BY MEMBER_ROLE")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["127.0.0.1\tPRIMARY", "127.0.0.1\tSECONDARY",
                                        "127.0.0.1\tSECONDARY"]


def test_member_stats_count_the_group_s_transactions(admin):
    g, port, sb = admin
    with session(port) as conn:
        names, types, before = described(conn, f"SELECT * FROM {STATS}")
        assert names == STATS_COLUMNS
        assert types[3:7] == [kTypeLongLong] * 4 and types[7:9] == [kTypeBlob] * 2
        assert len(before) == 3
        status = group_status(g)
        assert {r[1] for r in before} == {status["view_id"]}
        primary = status["primary"]
        port1 = g.route_port("primary")
        app = app_connect(port1, autocommit=True)
        try:
            with app.cursor() as cur:
                cur.execute("CREATE TABLE IF NOT EXISTS test.admin_stats (id INT PRIMARY KEY)")
                cur.execute("DELETE FROM test.admin_stats")
                for i in range(5):
                    cur.execute("INSERT INTO test.admin_stats VALUES (%s)", (i,))
        except pymysql.err.MySQLError:
            app.close()
            raise
        app.close()
        checked = f"SELECT COUNT_TRANSACTIONS_CHECKED FROM {STATS} WHERE member_id = '{primary}'"
        old = [r for r in before if r[2] == primary][0][4]
        # The probes see the primary's new transactions (GTIDs) within a few probe rounds.
        wait_until(lambda: rows(conn, checked)[0][0] >= old + 5, 20,
                   "the primary's 5 inserts to be counted")
        assert rows(conn, f"SELECT COUNT_TRANSACTIONS_LOCAL_PROPOSED FROM {STATS}"
                          f" WHERE member_id = '{primary}'")[0][0] >= old + 5
        secondaries = rows(conn, f"SELECT member_id FROM {MEMBERS} WHERE member_role = 'SECONDARY'")
        wait_until(lambda: all(rows(conn, f"SELECT COUNT_TRANSACTIONS_REMOTE_APPLIED FROM {STATS} "
                                          f"WHERE member_id = '{s[0]}'")[0][0] > 0
                               for s in secondaries), 20, "the secondaries' applied transactions")
        committed = rows(conn, f"SELECT TRANSACTIONS_COMMITTED_ALL_MEMBERS FROM {STATS} LIMIT 1")[0][0]
        assert re.fullmatch(r"\d+-\d+-\d+(,\d+-\d+-\d+)*", committed), committed


def test_show_status_and_global_status_name_the_primary(admin):
    g, port, _ = admin
    primary = group_status(g)["primary"]
    with session(port) as conn:
        assert rows(conn, "SHOW STATUS LIKE 'group_replication_primary_member'") == \
            (("group_replication_primary_member", primary),)
        assert rows(conn, "SHOW GLOBAL STATUS LIKE 'group_replication%'") == \
            (("group_replication_primary_member", primary),)
        assert rows(conn, "SHOW STATUS LIKE 'nothing%'") == ()
        assert rows(conn, "SELECT VARIABLE_VALUE FROM performance_schema.global_status WHERE\n"
                          "      VARIABLE_NAME='group_replication_primary_member'") == ((primary,),)


def test_variables_by_select_and_show(admin):
    g, port, sb = admin
    with session(port) as conn:
        assert rows(conn, "SELECT @@group_replication_group_name, "
                          "@@global.group_replication_single_primary_mode, "
                          "@@GROUP_REPLICATION_MEMBER_EXPEL_TIMEOUT") == \
            (("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", 1, 5),)
        shown = dict(rows(conn, "SHOW VARIABLES LIKE 'group_replication%'"))
        assert shown["group_replication_consistency"] == "BEFORE_ON_PRIMARY_FAILOVER"
        assert shown["group_replication_single_primary_mode"] == "ON"
        assert all(name.startswith("group_replication") for name in shown)
        rows(conn, "USE node2")
        assert rows(conn, "SELECT @@group_replication_local_address") == ((sb.addr(2),),)
        assert rows(conn, "SHOW GLOBAL VARIABLES WHERE Variable_name = 'group_replication_member_weight'") == \
            (("group_replication_member_weight", "50"),)


def test_set_as_primary_switches_the_primary(admin):
    g, port, _ = admin
    status = group_status(g)
    old = status["primary"]
    target = next(m["member_id"] for m in status["members"] if m["member_id"] != old)
    with session(port) as conn:
        assert rows(conn, f"SELECT group_replication_set_as_primary('{target}')") == \
            ((f"Primary server switched to: {target}",),)
        assert group_status(g)["primary"] == target  # answered once decided
        assert rows(conn, f"SELECT MEMBER_ROLE FROM {MEMBERS} WHERE MEMBER_ID = '{target}'") == \
            (("PRIMARY",),)
        assert rows(conn, f"SELECT group_replication_set_as_primary('{target}')") == \
            (("The requested member is already the current group primary.",),)
    wait_for_primary(g, 30)


def test_mode_switches_single_is_a_no_op_and_multi_is_refused(admin):
    g, port, _ = admin
    before = group_status(g)
    with session(port) as conn:
        assert rows(conn, "SELECT group_replication_switch_to_single_primary_mode()") == \
            (("The group is already on single-primary mode.",),)
        code, message = error_of(conn, "SELECT group_replication_switch_to_multi_primary_mode()")
        assert code == 1123 and "single-primary groups only" in message, message
    after = group_status(g)
    assert (after["view_id"], after["primary"], after["single_primary_mode"]) == \
        (before["view_id"], before["primary"], True)


BAD_INPUT = [
    ("DROP TABLE t", 1064, "SELECT, SHOW, SET, USE"),
    ("SELECT * FROM performance_schema.replication_group_memberz", 1146, "replication_group_members"),
    ("SELECT * FROM test.t1", 1146, "holds no data"),
    ("SELECT member_idd FROM performance_schema.replication_group_members", 1054, "member_idd"),
    ("SELECT * FROM performance_schema.replication_group_members WHERE", 1064, "ends too early"),
    ("SELECT * FROM performance_schema.replication_group_members LIMIT x", 1064, "LIMIT"),
    ("SELECT @@group_replication_nope", 1193, "group_replication_nope"),
    ("SET GLOBAL group_replication_member_expel_timeout = 'soon'", 1232, "member_expel_timeout"),
    ("SET GLOBAL group_replication_member_expel_timeout = 99999", 1231, "from 0 to 3600"),
    ("SET GLOBAL group_replication_consistency = 'SOMETIMES'", 1231, "BEFORE_ON_PRIMARY_FAILOVER"),
    ("SET GLOBAL group_replication_exit_state_action = 7", 1231, "OFFLINE_MODE"),
    ("SET GLOBAL group_replication_bootstrap_group = 'maybe'", 1231, "ON or OFF"),
    ("SET GLOBAL group_replication_poll_spin_loops = 10000", 1193, "member_weight"),
    ("SET GLOBAL group_replication_group_name = 'bbbbbbbb-aaaa-aaaa-aaaa-aaaaaaaaaaaa'", 1238,
     "configuration"),
    ("SET group_replication_consistency = 'EVENTUAL'", 1229, "SET GLOBAL"),
    ("SET GLOBAL max_connections = 10", 1193, "max_connections"),
    ("SET @x = 1", 1064, "user variables"),
    ("SELECT group_replication_set_as_primary('00000000-0000-0000-0000-000000000000')", 1123,
     "not a member of the group"),
    ("SELECT group_replication_set_as_primary(42)", 1123, "server uuid"),
    ("SELECT group_replication_set_as_primary()", 1123, "server uuid"),
    ("SELECT group_replication_get_write_concurrency()", 1305, "group_replication_set_as_primary"),
    ("SELECT nosuch()", 1305, "nosuch"),
    ("SET GLOBAL group_replication_force_members = '127.0.0.1:1'", 1231, "no member's address"),
    ("SET GLOBAL group_replication_force_members = 12", 1232, "force_members"),
    ("USE nosuch", 1049, "node1, node2, node3"),
    ("START GROUP_REPLICATION", 1046, "USE <member>"),
    ("STOP GROUP_REPLICATION", 1046, "USE <member>"),
    ("SET GLOBAL group_replication_member_weight = 70", 1046, "USE <member>"),
    ("SHOW BINLOG EVENTS", 1064, "SHOW takes"),
    ("SET GLOBAL group_replication_member_weight = 101", 1231, "from 0 to 100"),
    ("SELECT 'unterminated", 1064, "unterminated"),
]


@pytest.mark.parametrize("sql,code,names", BAD_INPUT, ids=[b[0][:40] for b in BAD_INPUT])
def test_bad_input_gets_a_mysql_error_and_changes_nothing(admin, sql, code, names):
    g, port, _ = admin
    before = group_status(g)
    with session(port) as conn:
        got, message = error_of(conn, sql)
        assert (got, names in message) == (code, True), f"{sql}: {got} {message}"
        # The session goes on, and SHOW WARNINGS names the error.
        assert rows(conn, "SHOW WARNINGS") == (("Error", code, message),)
        assert rows(conn, "SELECT 1") == ((1,),)
    after = group_status(g)
    assert (after["view_id"], after["primary"], after["members"]) == \
        (before["view_id"], before["primary"], before["members"])


def test_bad_input_through_the_cli(admin):
    _, port, _ = admin
    done = admin_cli(port, "SET GLOBAL group_replication_consistency = 'SOMETIMES'")
    assert done.returncode != 0
    assert re.search(r"ERROR 1231 \(42000\).*group_replication_consistency", done.stderr), done.stderr


def test_wrong_credentials_get_1045(admin):
    _, port, _ = admin
    for user, password in [(ADMIN_USER, "wrong"), ("nobody", ADMIN_PASSWORD), (ADMIN_USER, "")]:
        with pytest.raises(pymysql.err.OperationalError) as err:
            connect(port, user=user, password=password)
        assert err.value.args[0] == 1045
        using = "YES" if password else "NO"
        assert err.value.args[1] == f"Access denied for user '{user}'@'127.0.0.1' (using password: {using})"
    done = cli(port, "SELECT 1", user=ADMIN_USER, password="wrong")
    assert "ERROR 1045 (28000)" in done.stderr, done.stderr


def test_help_lists_the_statements(admin):
    _, port, _ = admin
    with session(port) as conn:
        listed = "\n".join(r[0] for r in rows(conn, "HELP"))
    # The CLI answers a bare `help` itself; `help <topic>` reaches the server.
    done = admin_cli(port, "HELP grouter")
    assert done.returncode == 0, done.stderr
    for statement in ["replication_group_members", "replication_group_member_stats", "SHOW [GLOBAL] STATUS",
                      "group_replication_set_as_primary", "switch_to_multi_primary_mode",
                      "force_members", "START GROUP_REPLICATION", "USE member_name"]:
        assert statement in listed, statement
        assert statement in done.stdout, statement


# The seeds' statements (GR docs in Korean and Chinese) as written, with what they give here:
# a result set, OK, or the error that says why they do not apply to grouter.
SEED_STATEMENTS = [
    ("SELECT * FROM performance_schema.replication_group_members;", "rows", None),
    ("SELECT MEMBER_HOST, MEMBER_ROLE FROM performance_schema.replication_group_members;", "rows", None),
    ("SHOW STATUS LIKE 'group_replication_primary_member'", "rows", None),
    ("SELECT VARIABLE_VALUE FROM performance_schema.global_status WHERE\n"
     "      VARIABLE_NAME='group_replication_primary_member';", "rows", None),
    ("SELECT @@group_replication_local_address;", "rows", None),
    ("SHOW DATABASES LIKE 'test';", "empty", None),
    ("SHOW PLUGINS;", "rows", None),
    ("SET SQL_LOG_BIN=0;", "ok", None),
    ("SET SQL_LOG_BIN=1;", "ok", None),
    ("SET GLOBAL group_replication_bootstrap_group=OFF;", "ok", None),
    ("SET GLOBAL group_replication_bootstrap_group=ON;", "ok", None),  # this session's flag only
    ("SET GLOBAL group_replication_recovery_retry_count= 10;", "ok", None),  # the default
    ("SET GLOBAL group_replication_recovery_reconnect_interval= 120;", "ok", None),
    ("START GROUP_REPLICATION;", "error", 1046),  # names no member: USE one first
    ("STOP GROUP_REPLICATION;", "error", 1046),
    ("SET GLOBAL group_replication_force_members=\"\";", "ok", None),
    ("SET GLOBAL group_replication_poll_spin_loops= 10000;", "error", 1193),
    ("SET GLOBAL group_replication_compression_threshold= 2097152;", "error", 1193),
    ("SET GLOBAL group_replication_ip_whitelist=\"10.120.40.237/18,10.178.59.44/22,127.0.0.1/8\";",
     "error", 1193),
    ("SET GLOBAL group_replication_recovery_use_ssl=1;", "error", 1193),
    ("SET GLOBAL group_replication_recovery_ssl_ca= '../cacert.pem';", "error", 1193),
    ("SELECT * FROM test.t1;", "error", 1146),
    ("SELECT * FROM t1;", "error", 1146),
    ("SHOW BINLOG EVENTS;", "error", 1064),
]


@pytest.mark.parametrize("sql,outcome,code", SEED_STATEMENTS, ids=[s[0][:40] for s in SEED_STATEMENTS])
def test_seed_statements_with_pymysql_and_the_cli(admin, sql, outcome, code):
    _, port, _ = admin
    with session(port) as conn:
        if outcome == "error":
            assert error_of(conn, sql)[0] == code
        else:
            result = rows(conn, sql)
            assert (len(result) > 0) == (outcome == "rows"), result
    done = admin_cli(port, sql)
    if outcome == "error":
        assert done.returncode != 0 and f"ERROR {code} " in done.stderr, done
    else:
        assert done.returncode == 0, done.stderr
        assert (done.stdout != "") == (outcome == "rows"), done.stdout


def flood(port, statements):
    """A logged-in raw session that sends STATEMENTS COM_QUERYs at once and reads nothing."""
    sock = raw_login(port, user=ADMIN_USER, password=ADMIN_PASSWORD)
    packet = frame(0, b"\x03SELECT * FROM " + MEMBERS.encode())
    sock.setblocking(False)
    sent = 0
    burst = packet * 256
    deadline = time.monotonic() + 10
    while sent < statements and time.monotonic() < deadline:
        try:
            sock.send(burst)
            sent += 256
        except BlockingIOError:
            break  # grouter stopped reading: its output for this session is full
    return sock, sent


def test_a_flooding_client_that_never_reads_is_bounded(admin):
    g, port, _ = admin
    rss_before = g.rss_kb()
    flooder, sent = flood(port, 200_000)
    try:
        # grouter stops reading the flooder long before 200,000 statements (about 50 MB of answers).
        assert sent < 200_000, sent
        other = connect(port)
        try:
            started = time.monotonic()
            for _ in range(20):
                assert len(rows(other, f"SELECT * FROM {MEMBERS}")) == 3
            assert time.monotonic() - started < 5
        finally:
            other.close()
        # The flooder's unread answers are held under the output bound (1 MiB), not accumulated.
        assert g.rss_kb() - rss_before < 32 * 1024, (rss_before, g.rss_kb())
    finally:
        flooder.close()
    conn = connect(port)
    assert rows(conn, "SELECT 1") == ((1,),)
    conn.close()


def test_an_oversized_or_malformed_packet_ends_that_session_only(admin):
    g, port, _ = admin
    other = connect(port)
    try:
        big = raw_login(port, user=ADMIN_USER, password=ADMIN_PASSWORD)
        big.sendall((16 * 1024 * 1024 - 1).to_bytes(3, "little") + b"\x00\x03")
        _, reply = read_packet(big)
        assert reply[:3] == b"\xff\x81\x04", reply  # ERR 1153
        assert big.recv(10) == b""
        big.close()

        out_of_order = raw_login(port, user=ADMIN_USER, password=ADMIN_PASSWORD)
        out_of_order.sendall(frame(5, b"\x03SELECT 1"))
        _, reply = read_packet(out_of_order)
        assert reply[:3] == b"\xff\x84\x04", reply  # ERR 1156
        out_of_order.close()

        garbage = raw_connect(port)
        read_packet(garbage)
        garbage.sendall(frame(1, b"\x01\x02"))  # not a HandshakeResponse
        _, reply = read_packet(garbage)
        assert reply[:3] == b"\xff\x13\x04", reply  # ERR 1043 Bad handshake
        garbage.close()

        assert rows(other, f"SELECT MEMBER_ID FROM {MEMBERS} LIMIT 1")
    finally:
        other.close()
    assert g.alive()


def test_runtime_options_go_through_the_group_and_survive_a_restart(admin):
    g, port, sb = admin
    with session(port) as conn:
        assert rows(conn, "SET GLOBAL group_replication_member_expel_timeout = 7") == ()
        assert rows(conn, "SET GLOBAL group_replication_consistency = 'eventual'") == ()
        rows(conn, "USE node3")
        assert rows(conn, "SET GLOBAL group_replication_member_weight = 80") == ()
        assert rows(conn, "SELECT @@group_replication_member_expel_timeout, "
                          "@@group_replication_consistency, @@group_replication_member_weight") == \
            ((7, "EVENTUAL", 80),)
    assert find_member(group_status(g), sb.addr(3))["member_weight"] == 80
    g.stop()
    g.start()
    wait_for_primary(g, 60)
    with session(port) as conn:
        rows(conn, "USE node3")
        assert rows(conn, "SELECT @@group_replication_member_expel_timeout, "
                          "@@group_replication_consistency, @@group_replication_member_weight") == \
            ((7, "EVENTUAL", 80),)
        # Back to the configuration's values for the tests after this one.
        rows(conn, "SET GLOBAL group_replication_member_expel_timeout = 5")
        rows(conn, "SET GLOBAL group_replication_consistency = BEFORE_ON_PRIMARY_FAILOVER")
        rows(conn, "SET GLOBAL group_replication_member_weight = 50")


def test_stop_and_start_group_replication_for_one_member(admin):
    g, port, sb = admin
    with session(port) as conn:
        secondary = rows(conn, f"SELECT MEMBER_ID, MEMBER_PORT FROM {MEMBERS} "
                               "WHERE MEMBER_ROLE = 'SECONDARY' ORDER BY MEMBER_PORT LIMIT 1")[0]
        name = f"node{sb.node_of(f'127.0.0.1:{secondary[1]}')}"
        rows(conn, f"USE {name}")
        rows(conn, "STOP GROUP_REPLICATION")  # answers once it is out of the view
        assert rows(conn, f"SELECT MEMBER_STATE, MEMBER_ROLE FROM {MEMBERS} "
                          f"WHERE MEMBER_ID = '{secondary[0]}'") == (("OFFLINE", ""),)
        assert find_member(group_status(g), secondary[0]) is not None
        rows(conn, "START GROUP_REPLICATION")
        wait_member_state(g, secondary[0], "ONLINE", 60)
        assert rows(conn, f"SELECT MEMBER_STATE FROM {MEMBERS} WHERE MEMBER_ID = '{secondary[0]}'") \
            == (("ONLINE",),)
        code, message = error_of(conn, "START GROUP_REPLICATION")  # running already
        assert code == 3093 and "already running" in message, message


def test_bootstrap_from_sql_then_each_member_starts(tmp_path):
    base = int(os.environ.get("GROUTER_TEST_BASE_PORT", "3320")) + 70
    sb = FencedSandbox(tmp_path / "sandbox", base_port=base)
    g = None
    try:
        sb.create()
        port = free_port()
        sections = group_sections(sb, group_options={"start_on_boot": "OFF"})
        sections["admin"] = {"bind_port": port}
        g = Grouter(tmp_path / "grouter", sections).start()
        wait_until(lambda: is_listening(port), 20, "the admin port to listen")
        done = admin_cli(port, "USE node1; SET GLOBAL group_replication_bootstrap_group=ON;"
                               " START GROUP_REPLICATION; SET GLOBAL group_replication_bootstrap_group=OFF;"
                               " USE node2; START GROUP_REPLICATION; USE node3; START GROUP_REPLICATION")
        assert done.returncode == 0, done.stderr
        status = group_status(g)
        assert status["group_name"] == "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
        assert find_member(status, sb.addr(1))["member_role"] == "PRIMARY"
        for i in (2, 3):
            wait_member_state(g, sb.addr(i), "ONLINE", 60)
        with session(port) as conn:
            assert rows(conn, f"SELECT MEMBER_PORT, MEMBER_STATE, MEMBER_ROLE FROM {MEMBERS} ORDER BY 1") == \
                ((sb.port(1), "ONLINE", "PRIMARY"), (sb.port(2), "ONLINE", "SECONDARY"),
                 (sb.port(3), "ONLINE", "SECONDARY"))
            rows(conn, "USE node2")
            rows(conn, "SET GLOBAL group_replication_bootstrap_group=ON")
            code, message = error_of(conn, "START GROUP_REPLICATION")  # GR refuses a second bootstrap
            assert code in (3092, 3093), message
    finally:
        if g is not None:
            g.cleanup()
        sb.destroy()


def test_sessions_are_limited_and_a_freed_place_is_taken_again(admin):
    _, port, _ = admin
    held = [connect(port) for _ in range(16)]  # [admin] max_connections defaults to 16
    try:
        with pytest.raises(pymysql.err.OperationalError) as err:
            connect(port)
        assert err.value.args[0] == 1040, err.value.args
        held.pop().close()

        def admitted():
            try:
                held.append(connect(port))
                return True
            except pymysql.err.OperationalError:
                return False
        wait_until(admitted, 10, "a session in the freed place")
        assert rows(held[-1], "SELECT 1") == ((1,),)
    finally:
        for conn in held:
            conn.close()
