"""The protocol's less common exchanges on the read/write-splitting route (access_mode = auto, as
port 6450; plain and with TLS on both legs), with real clients: a CALL returning two result sets
and multi-statements (PyMySQL, MySQLdb, the mariadb CLI), LOAD DATA LOCAL INFILE (PyMySQL, the
CLI), a server-side cursor read with COM_STMT_FETCH (Connector/C), COM_STMT_SEND_LONG_DATA,
executeBatch() (pipelined statements, MariaDB's COM_STMT_BULK_EXECUTE) and COM_RESET_CONNECTION
(Connector/J), COM_CHANGE_USER (MySQLdb), a 17 MiB statement, and the statements that keep a
session on the primary: a temporary table, GET_LOCK(), `@var :=`.

The group (split_harness): node3 is the primary, node1 and node2 the secondaries."""
import MySQLdb
import pymysql
import pytest

from clients import (cli, connectorc_cursor_fetch, connectorj, frame, query, raw_login, raw_query,
                     read_packet, scalar)
from split_harness import kPrimary, kSecondaries, connect, server, split_group  # noqa: F401


class SplitPort:
    """A splitting route of the module's group and how each client reaches it: route rw (plain) or
    rw_tls (as the demo's 6450: the clients use TLS, grouter uses TLS to the nodes)."""

    def __init__(self, sb, g, route):
        self.sb, self.g, self.route = sb, g, route
        self.port = g.route_port(route)
        self.ca = sb.ssl_ca if route == "rw_tls" else None
        self.key = 0 if self.ca is None else 1  # keeps the two routes' rows apart

    def pymysql(self, **kw):
        if self.ca:
            kw["ssl"] = {"ca": self.ca}
        return connect(self.g, self.route, **kw)

    def mysqldb(self):
        kw = {"ssl": {"ca": self.ca}} if self.ca else {}
        return MySQLdb.connect(host="127.0.0.1", port=self.port, user="app", passwd="app_pw",
                               db="test", connect_timeout=10, autocommit=True, **kw)

    def cli(self, sql, extra=()):
        tls = ("--ssl", f"--ssl-ca={self.ca}") if self.ca else ("--skip-ssl",)
        return cli(self.port, sql, extra=("-D", "test", *tls, *extra))

    def connectorj(self, classes, statements, options):
        options = dict(options)
        if self.ca:
            options.update(useSsl="true", trustServerCertificate="true")
        return connectorj(classes, self.port, statements, options=options)

    def cursor_rows(self, sql, prefetch_rows, between=None):
        return connectorc_cursor_fetch(self.port, sql, prefetch_rows, ssl_ca=self.ca,
                                       between=between)


@pytest.fixture(params=["rw", "rw_tls"])
def rw(request, split_group):
    sb, g = split_group
    return SplitPort(sb, g, request.param)


def primary_status(sb, name):
    return int(sb.sql(kPrimary, f"SHOW GLOBAL STATUS LIKE '{name}'").split()[-1])


@pytest.fixture(scope="module")
def two_results(split_group):
    sb, g = split_group
    conn = connect(g)
    try:
        query(conn, "CREATE OR REPLACE PROCEDURE two_results() BEGIN "
                    "SELECT 1 AS first, @@server_id; SELECT 2 AS second, @@server_id; END")
    finally:
        conn.close()


def test_call_returning_two_result_sets(rw, two_results):
    with rw.pymysql() as conn:
        with conn.cursor() as cur:
            cur.execute("CALL two_results()")
            assert cur.fetchall() == ((1, kPrimary),)
            assert cur.nextset()
            assert cur.fetchall() == ((2, kPrimary),)
            cur.nextset()  # the CALL's own OK
            assert not cur.nextset()
        assert server(conn) in kSecondaries  # the session goes on, reads on a secondary
    db = rw.mysqldb()
    try:
        cur = db.cursor()
        cur.execute("CALL two_results()")
        assert cur.fetchall() == ((1, kPrimary),)
        assert cur.nextset()
        assert cur.fetchall() == ((2, kPrimary),)
        while cur.nextset():
            pass
        cur.execute("SELECT @@server_id")
        assert cur.fetchone()[0] in kSecondaries
    finally:
        db.close()
    done = rw.cli("CALL two_results(); SELECT @@server_id")
    assert done.returncode == 0, done.stderr
    out = done.stdout.split()
    assert out[:4] == ["1", str(kPrimary), "2", str(kPrimary)] and int(out[4]) in kSecondaries, out


def test_multi_statements(rw):
    key = 800 + rw.key
    with rw.pymysql(client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS) as conn:
        with conn.cursor() as cur:
            cur.execute(f"SELECT 1, @@server_id; INSERT INTO split VALUES ({key}); "
                        f"SELECT COUNT(*), @@server_id FROM split WHERE id = {key}")
            assert cur.fetchall() == ((1, kPrimary),)
            assert cur.nextset()
            assert cur.rowcount == 1  # the INSERT
            assert cur.nextset()
            assert cur.fetchall() == ((1, kPrimary),)
            assert not cur.nextset()
            # An error in the middle ends the chain; the session goes on.
            with pytest.raises(pymysql.err.ProgrammingError):
                cur.execute("SELECT 1; SELECT * FROM no_such_table; SELECT 3")
                while cur.nextset():
                    pass
        assert scalar(conn, f"SELECT COUNT(*) FROM split WHERE id = {key}") == 1
    done = rw.cli("SELECT 7; SELECT @@server_id; SELECT 8")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "7" and done.stdout.split()[-1] == "8", done.stdout


def test_load_data_local_infile(rw, tmp_path):
    rows = 20000
    table = f"loaded_{rw.route}"
    data = tmp_path / "rows.csv"
    data.write_text("".join(f"{i},{'v' * 80}{i}\n" for i in range(rows)))  # ~1.8 MB
    with rw.pymysql(local_infile=True) as conn:
        query(conn, f"CREATE TABLE IF NOT EXISTS {table} (id INT PRIMARY KEY, v VARCHAR(100))")
        with conn.cursor() as cur:
            cur.execute(f"LOAD DATA LOCAL INFILE '{data}' INTO TABLE {table} "
                        "FIELDS TERMINATED BY ','")
            assert cur.rowcount == rows
        assert scalar(conn, f"SELECT COUNT(*) FROM {table}") == rows  # its own write, waited for
        assert scalar(conn, "SELECT 1") == 1
    # A file the client cannot read: it answers with an empty packet, the node with an error, and
    # the session goes on.
    with rw.pymysql(local_infile=True) as conn:
        with pytest.raises(pymysql.err.OperationalError):
            query(conn, f"LOAD DATA LOCAL INFILE '{tmp_path / 'absent.csv'}' INTO TABLE {table}")
        # (On the primary: another session's load may not have reached the secondaries yet.)
        assert scalar(conn, f"SELECT COUNT(*) FROM {table} FOR UPDATE") == rows
        assert scalar(conn, "SELECT 1") == 1
    done = rw.cli(f"LOAD DATA LOCAL INFILE '{data}' REPLACE INTO TABLE {table} "
                  f"FIELDS TERMINATED BY ','; SELECT COUNT(*) FROM {table} FOR UPDATE",
                  extra=("--local-infile=1",))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(rows)], done.stdout


def test_a_server_side_cursor_fetches_in_steps(rw, connectorj_classes):
    fetches = primary_status(rw.sb, "Com_stmt_fetch")
    assert rw.cursor_rows("SELECT seq FROM seq_1_to_11", 2) == 11
    assert primary_status(rw.sb, "Com_stmt_fetch") - fetches >= 5  # 11 rows, 2 at a time
    # A read while the cursor is open runs on a secondary; the fetches go on on the primary.
    between, fetched = rw.cursor_rows("SELECT seq FROM seq_1_to_7", 2, between="SELECT @@server_id")
    assert fetched == 7 and int(between[0]) in kSecondaries, between
    # Connector/J with server-side prepared statements and a small fetch size, then a plain read.
    run = rw.connectorj(connectorj_classes,
                        ["ps:SELECT seq FROM test.seq_1_to_5 WHERE seq > ?|0", "SELECT 1"],
                        {"useServerPrepStmts": "true", "defaultFetchSize": "2"})
    assert run.errors == [] and run.rows == [["1"], ["2"], ["3"], ["4"], ["5"], ["1"]], run.lines


def test_send_long_data(rw, connectorj_classes):
    before = primary_status(rw.sb, "Com_stmt_send_long_data")
    blob = "b" * 100000
    key = 1 + rw.key
    run = rw.connectorj(connectorj_classes,
                        ["CREATE TABLE IF NOT EXISTS test.blobs (id INT PRIMARY KEY, b LONGBLOB)",
                         f"long:INSERT INTO test.blobs VALUES ({key}, ?)|{blob}",
                         f"SELECT LENGTH(b), @@server_id FROM test.blobs WHERE id = {key} FOR UPDATE",
                         "SELECT 5"],
                        {"useServerPrepStmts": "true"})
    assert run.errors == [], run.lines
    assert run.rows == [["100000", str(kPrimary)], ["5"]], run.lines
    assert primary_status(rw.sb, "Com_stmt_send_long_data") > before


def test_change_user(rw):
    db = rw.mysqldb()
    try:
        cur = db.cursor()
        cur.execute("SET @before = 1")
        cur.execute("SELECT @before, @@server_id")  # opens the secondary leg, the variable replayed
        before, server_id = cur.fetchone()
        assert before == 1 and server_id in kSecondaries
        db.change_user("admin", "admin_pw", "test")
        cur = db.cursor()
        cur.execute("SELECT CURRENT_USER(), @before, DATABASE()")
        user, before, schema = cur.fetchone()
        assert user.startswith("admin@") and before is None and schema == "test"
        cur.execute("SELECT 2 + 2")
        assert cur.fetchone()[0] == 4
        db.change_user("app", "app_pw", "test")
        cur = db.cursor()
        cur.execute("SELECT CURRENT_USER()")
        assert cur.fetchone()[0].startswith("app@")
        with pytest.raises(MySQLdb.OperationalError) as denied:
            db.change_user("app", "wrong", "test")
        assert denied.value.args[0] == 1045, denied.value.args
    finally:
        db.close()


def test_reset_connection(rw, connectorj_classes):
    run = rw.connectorj(connectorj_classes, ["SET @kept = 5", "SELECT @kept, @@server_id", "reset:",
                                             "SELECT @kept", "SELECT @@server_id"],
                        {"useResetConnection": "true"})
    assert run.errors == [], run.lines
    rows = run.rows
    assert rows[0][0] == "5" and int(rows[0][1]) in kSecondaries, rows
    assert rows[1] == ["NULL"], rows  # the reset dropped the variable, on every leg
    assert int(rows[2][0]) in (kPrimary, *kSecondaries), rows


def test_a_temporary_table_keeps_the_session_on_the_primary(rw):
    with rw.pymysql() as conn:
        assert server(conn) in kSecondaries
        query(conn, "CREATE TEMPORARY TABLE tmp_pin (id INT)")
        query(conn, "INSERT INTO tmp_pin VALUES (1), (2)")
        assert query(conn, "SELECT COUNT(*), @@server_id FROM tmp_pin")[0] == (2, kPrimary)
        assert server(conn) == kPrimary  # pinned from then on


def test_get_lock_keeps_the_session_on_the_primary(rw):
    with rw.pymysql() as conn:
        assert server(conn) in kSecondaries
        assert scalar(conn, "SELECT GET_LOCK('grouter_pin', 5)") == 1
        assert scalar(conn, "SELECT IS_USED_LOCK('grouter_pin') = CONNECTION_ID()") == 1
        assert server(conn) == kPrimary
        assert scalar(conn, "SELECT RELEASE_LOCK('grouter_pin')") == 1


def test_a_user_variable_assigned_in_a_select(rw):
    with rw.pymysql() as conn:
        assert server(conn) in kSecondaries
        assert query(conn, "SELECT @picked := 7, @@server_id")[0] == (7, kPrimary)
        # The variable is the session's: every later statement sees it, wherever it runs.
        assert scalar(conn, "SELECT @picked") == 7
        assert query(conn, "SELECT @picked + 1, @@server_id")[0][0] == 8


def test_a_statement_larger_than_16mib_and_a_large_result(rw):
    with rw.pymysql(max_allowed_packet=64 * 1024 * 1024) as conn:
        big = "x" * (17 * 1024 * 1024)  # two frames
        assert query(conn, "SELECT LENGTH(%s), @@server_id", (big,))[0][0] == len(big)
        assert len(scalar(conn, "SELECT REPEAT('z', 20000000)")) == 20000000
        assert scalar(conn, "SELECT COUNT(*) FROM (SELECT REPEAT('y', 100) FROM seq_1_to_200000) t") == 200000
        with conn.cursor() as cur:
            cur.execute("SELECT REPEAT('w', 1000) FROM seq_1_to_50000")
            assert len(cur.fetchall()) == 50000
        assert server(conn) in kSecondaries


@pytest.mark.parametrize("options", [
    {},  # client-side statements, sent in a pipeline (useBatchMultiSend)
    {"useServerPrepStmts": "true"},  # server-side, the driver's defaults
    {"useServerPrepStmts": "true", "useBulkStmts": "false"},  # pipelined COM_STMT_EXECUTE
    {"useServerPrepStmts": "true", "useBulkStmts": "true"},  # MariaDB's COM_STMT_BULK_EXECUTE
], ids=["text", "server", "executes", "bulk"])
def test_connectorj_batches(rw, connectorj_classes, options):
    rows = 200
    table = f"batch_{rw.route}_{len(options)}_{options.get('useBulkStmts', 'default')}"
    run = rw.connectorj(connectorj_classes,
                        [f"CREATE TABLE IF NOT EXISTS test.{table} (v VARCHAR(20))",
                         f"batch:INSERT INTO test.{table} VALUES (?)|" +
                         "|".join(f"r{i}" for i in range(rows)),
                         f"SELECT COUNT(*) FROM test.{table} FOR UPDATE", "SELECT 1"],
                        options)
    assert run.errors == [], run.lines
    assert run.rows == [[str(rows)], ["1"]], run.lines


def test_a_write_pipelined_behind_a_read_runs_on_the_primary(rw):
    """MariaDB's connectors may send a statement before the previous one's reply (Node's mariadb
    pipelines by default): a write sent behind a read must still run on the primary."""
    key = 900 + rw.key
    s = raw_login(rw.port, tls=rw.ca is not None)
    try:
        assert raw_query(s, "USE test")[0][:1] == b"\x00"
        s.sendall(frame(0, b"\x03SELECT @@server_id") +
                  frame(0, b"\x03" + f"INSERT INTO split VALUES ({key})".encode()))
        first, payloads = read_result(s)
        assert int(first) in kSecondaries, payloads
        _, reply = read_packet(s)
        assert reply[:1] == b"\x00", f"the pipelined INSERT: {reply!r}"  # OK, not 1290 (read-only)
    finally:
        s.close()


def read_result(sock):
    """Reads one text result set of one row and column -> (its value, the payloads)."""
    payloads = []
    while True:
        _, payload = read_packet(sock)
        payloads.append(payload)
        if payload[:1] in (b"\xff", b"\x00") and len(payloads) == 1:
            raise AssertionError(f"no result set: {payload!r}")
        if payload[:1] == b"\xfe" and len(payload) < 9 and len(payloads) > 3:
            return payloads[3][1:1 + payloads[3][0]].decode(), payloads
