"""Real clients through grouter's pass-through routes: logins, queries, USE, rows over 16 MiB, prepared
statements, TLS negotiated by the client."""
import hashlib
import os

import MySQLdb
import pytest

from clients import cli, connect, connect_error, kMaxPacket, mysqldb_connect, query, scalar
from sysbench_run import parse_result, run_sysbench

ROUTES = ["rw", "ro"]
kBigRowBytes = 17 * 1024 * 1024
assert kMaxPacket > kBigRowBytes


@pytest.mark.parametrize("route", ROUTES)
def test_mariadb_cli_connects(std_grouter, route):
    out = cli(std_grouter.route_port(route), "SELECT CURRENT_USER(), 1 + 1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["app@%", "2"]


@pytest.mark.parametrize("route", ROUTES)
def test_mariadb_cli_wrong_password_gets_1045(std_grouter, route):
    out = cli(std_grouter.route_port(route), "SELECT 1", password="wrong")
    assert out.returncode == 1
    assert "ERROR 1045 (28000)" in out.stderr and "Access denied for user 'app'" in out.stderr


@pytest.mark.parametrize("route", ROUTES)
def test_pymysql_connects(std_grouter, route):
    conn = connect(std_grouter.route_port(route))
    try:
        assert scalar(conn, "SELECT CURRENT_USER()") == "app@%"
    finally:
        conn.close()


@pytest.mark.parametrize("route", ROUTES)
def test_pymysql_wrong_password_gets_1045(std_grouter, route):
    code, message = connect_error(std_grouter.route_port(route), password="wrong")
    assert code == 1045
    assert message.startswith("Access denied for user 'app'@'127.0.0.1'")


@pytest.mark.parametrize("route", ROUTES)
def test_mysqldb_connects(std_grouter, route):
    conn = mysqldb_connect(std_grouter.route_port(route))
    try:
        cur = conn.cursor()
        cur.execute("SELECT CURRENT_USER(), @@server_id")
        user, _ = cur.fetchone()
        assert user == "app@%"
    finally:
        conn.close()


@pytest.mark.parametrize("route", ROUTES)
def test_mysqldb_wrong_password_gets_1045(std_grouter, route):
    with pytest.raises(MySQLdb.OperationalError) as err:
        mysqldb_connect(std_grouter.route_port(route), password="wrong")
    assert err.value.args[0] == 1045


def test_queries_and_use(std_grouter, sandbox):
    conn = connect(std_grouter.route_port("rw"))
    try:
        query(conn, "USE test")
        assert scalar(conn, "SELECT DATABASE()") == "test"
        query(conn, "DROP TABLE IF EXISTS t_queries")
        query(conn, "CREATE TABLE t_queries (id INT PRIMARY KEY, v VARCHAR(20))")
        query(conn, "INSERT INTO t_queries VALUES (1, 'one'), (2, 'two')")
        conn.commit()
        assert query(conn, "SELECT id, v FROM t_queries ORDER BY id") == ((1, "one"), (2, "two"))
        conn.select_db("sbtest")  # COM_INIT_DB
        assert scalar(conn, "SELECT DATABASE()") == "sbtest"
    finally:
        conn.close()


def test_row_larger_than_16mib_both_ways(std_grouter):
    blob = os.urandom(kBigRowBytes)
    conn = connect(std_grouter.route_port("rw"), database="test")
    try:
        query(conn, "DROP TABLE IF EXISTS t_big")
        query(conn, "CREATE TABLE t_big (id INT PRIMARY KEY, b LONGBLOB)")
        query(conn, "INSERT INTO t_big VALUES (1, %s)", (blob,))
        conn.commit()
        back = scalar(conn, "SELECT b FROM t_big WHERE id = 1")
        assert len(back) == kBigRowBytes
        assert hashlib.sha256(back).hexdigest() == hashlib.sha256(blob).hexdigest()
        assert scalar(conn, "SELECT SHA2(b, 256) FROM t_big WHERE id = 1") == \
            hashlib.sha256(blob).hexdigest()
        query(conn, "DROP TABLE t_big")
        conn.commit()
    finally:
        conn.close()


def test_sql_prepared_statements_with_cli(std_grouter):
    sql = "PREPARE s FROM 'SELECT ? + 1'; SET @a = 41; EXECUTE s USING @a; DEALLOCATE PREPARE s"
    out = cli(std_grouter.route_port("rw"), sql)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["42"]


def test_binary_protocol_prepared_statements_with_sysbench(std_grouter, sandbox):
    """sysbench --db-ps-mode=auto sends COM_STMT_PREPARE/EXECUTE through the route."""
    port = std_grouter.route_port("rw")
    before = int(sandbox.sql(1, "SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'").split()[-1])
    common = ["--tables=1", "--table-size=1000", "--mysql-db=test"]
    run_sysbench("oltp_point_select", port, "cleanup", common)
    prep = run_sysbench("oltp_point_select", port, "prepare", common)
    assert prep.returncode == 0, prep.stdout + prep.stderr
    run = run_sysbench("oltp_point_select", port, "run",
                       common + ["--time=3", "--threads=2", "--db-ps-mode=auto"])
    assert run.returncode == 0, run.stdout + run.stderr
    result = parse_result(run.stdout)
    assert result["errors"] == 0 and result["transactions"] > 0, run.stdout
    after = int(sandbox.sql(1, "SHOW GLOBAL STATUS LIKE 'Com_stmt_prepare'").split()[-1])
    assert after > before, "no COM_STMT_PREPARE reached the server"
    run_sysbench("oltp_point_select", port, "cleanup", common)


@pytest.mark.parametrize("route", ROUTES)
def test_tls_negotiated_by_client_through_route(std_grouter, sandbox, route):
    conn = connect(std_grouter.route_port(route), ssl={"ca": sandbox.ssl_ca})
    try:
        cipher = query(conn, "SHOW STATUS LIKE 'Ssl_cipher'")[0][1]
        assert cipher, "Ssl_cipher is empty: the session is not encrypted"
    finally:
        conn.close()


def test_tls_with_mariadb_cli(std_grouter, sandbox):
    out = cli(std_grouter.route_port("rw"), "SHOW STATUS LIKE 'Ssl_cipher'",
              extra=["--ssl", f"--ssl-ca={sandbox.ssl_ca}"])
    assert out.returncode == 0, out.stderr
    name, *cipher = out.stdout.split()
    assert name == "Ssl_cipher" and cipher, out.stdout

