"""Terminated sessions (client_ssl_mode other than PASSTHROUGH): grouter greets the client itself,
runs TLS on each leg as client_ssl_mode and server_ssl_mode say, and logs the client in to the
storage node with the node's own nonce. Real clients: the mariadb CLI, PyMySQL and MySQLdb, with
and without TLS."""
import ssl

import MySQLdb
import pymysql
import pytest

from clients import PASSWORD, USER, cli, connect, connect_error, mysqldb_connect, query, scalar


def tls_paths(sandbox):
    ssl_dir = sandbox.path / "ssl"
    return {"cert": str(ssl_dir / "router-cert.pem"), "key": str(ssl_dir / "router-key.pem"),
            "ca": str(ssl_dir / "ca.pem")}


def terminated(sandbox, node=1, client="DISABLED", server="DISABLED", **extra):
    options = {"destinations": sandbox.addr(node), "client_ssl_mode": client,
               "server_ssl_mode": server}
    if client in ("PREFERRED", "REQUIRED"):
        paths = tls_paths(sandbox)
        options["client_ssl_cert"] = paths["cert"]
        options["client_ssl_key"] = paths["key"]
    options.update(extra)
    return options


def session_cipher(conn):
    return query(conn, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")[0][1]


def test_plain_terminated_route_serves_pymysql_mysqldb_and_the_cli(sandbox, grouter):
    g = grouter({"routing:t": terminated(sandbox, node=2)})
    port = g.route_port("t")
    conn = connect(port, database="test")
    try:
        assert scalar(conn, "SELECT @@server_id") == 2
        assert scalar(conn, "SELECT DATABASE()") == "test"
        assert scalar(conn, "SELECT CURRENT_USER()").startswith("app@")
        with conn.cursor() as cur:  # a multi-row result and a prepared-looking parameter
            cur.execute("SELECT seq FROM seq_1_to_1000 WHERE seq > %s", (990,))
            assert [r[0] for r in cur.fetchall()] == list(range(991, 1001))
    finally:
        conn.close()
    db = mysqldb_connect(port)
    try:
        cur = db.cursor()
        cur.execute("SELECT @@server_id")
        assert cur.fetchone()[0] == 2
    finally:
        db.close()
    done = cli(port, "SELECT @@server_id, USER()")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\t")[0] == "2"


def test_wrong_password_and_unknown_user_get_1045_from_a_terminated_route(sandbox, grouter):
    g = grouter({"routing:t": terminated(sandbox)})
    port = g.route_port("t")
    code, message = connect_error(port, password="not-the-password")
    assert code == 1045, message
    assert message.startswith(f"Access denied for user '{USER}'@"), message
    code, message = connect_error(port, user="nobody", password="x")
    assert code == 1045, message
    done = cli(port, "SELECT 1", password="wrong")
    assert done.returncode != 0
    assert "ERROR 1045 (28000)" in done.stderr, done.stderr
    # A refused login is no connect error: the host is not blocked, the right password works.
    conn = connect(port)
    assert scalar(conn, "SELECT 1") == 1
    conn.close()
    assert "wrong" not in g.log() and "not-the-password" not in g.log()


def test_tls_to_the_client_and_to_the_node(sandbox, grouter):
    g = grouter({"routing:t": terminated(sandbox, client="REQUIRED", server="REQUIRED")})
    port = g.route_port("t")
    ca = tls_paths(sandbox)["ca"]
    conn = connect(port, ssl={"ca": ca})
    try:
        # The node sees TLS on grouter's own connection to it.
        assert session_cipher(conn) != ""
        assert scalar(conn, "SELECT @@server_id") == 1
    finally:
        conn.close()
    done = cli(port, "SHOW SESSION STATUS LIKE 'Ssl_cipher'", extra=("--ssl", f"--ssl-ca={ca}"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\t")[1].strip() != ""
    db = MySQLdb.connect(host="127.0.0.1", port=port, user=USER, passwd=PASSWORD,
                         ssl={"ca": ca}, connect_timeout=10)
    try:
        cur = db.cursor()
        cur.execute("SELECT 1")
        assert cur.fetchone()[0] == 1
    finally:
        db.close()


def test_client_ssl_mode_required_refuses_a_plain_client(sandbox, grouter):
    g = grouter({"routing:t": terminated(sandbox, client="REQUIRED", server="DISABLED")})
    code, message = connect_error(g.route_port("t"))
    assert code == 4188, message
    assert "insecure transport" in message


def test_tls_only_on_the_client_leg_and_only_on_the_server_leg(sandbox, grouter):
    ca = tls_paths(sandbox)["ca"]
    g = grouter({"routing:c": terminated(sandbox, client="PREFERRED", server="DISABLED"),
                 "routing:s": terminated(sandbox, client="DISABLED", server="REQUIRED")})
    conn = connect(g.route_port("c"), ssl={"ca": ca})
    try:
        assert session_cipher(conn) == ""  # grouter to the node: plain
        assert scalar(conn, "SELECT 1") == 1
    finally:
        conn.close()
    conn = connect(g.route_port("s"))
    try:
        assert session_cipher(conn) != ""  # grouter to the node: TLS
    finally:
        conn.close()
    # PREFERRED without TLS from the client: plain, and it works.
    conn = connect(g.route_port("c"))
    try:
        assert scalar(conn, "SELECT 1") == 1
    finally:
        conn.close()


def test_as_client_follows_the_client(sandbox, grouter):
    ca = tls_paths(sandbox)["ca"]
    g = grouter({"routing:t": terminated(sandbox, client="PREFERRED", server="AS_CLIENT")})
    port = g.route_port("t")
    with_tls = connect(port, ssl={"ca": ca})
    without = connect(port)
    try:
        assert session_cipher(with_tls) != ""
        assert session_cipher(without) == ""
    finally:
        with_tls.close()
        without.close()


def test_server_ssl_verify_checks_the_node_certificate(sandbox, grouter):
    paths = tls_paths(sandbox)
    g = grouter({
        "routing:good": terminated(sandbox, server="REQUIRED", server_ssl_verify="VERIFY_IDENTITY",
                                   server_ssl_ca=paths["ca"]),
        # The router's own certificate is no CA of the node's certificate.
        "routing:bad": terminated(sandbox, server="REQUIRED", server_ssl_verify="VERIFY_CA",
                                  server_ssl_ca=paths["cert"]),
    })
    conn = connect(g.route_port("good"))
    assert scalar(conn, "SELECT 1") == 1
    conn.close()
    code, message = connect_error(g.route_port("bad"))
    assert code == 1429, message
    assert "certificate" in message, message
    # The mariadb CLI shows it as itself too (a client-library code like 2026 would read 2027).
    done = cli(g.route_port("bad"), "SELECT 1")
    assert "ERROR 1429 (HY000)" in done.stderr and "certificate" in done.stderr, done.stderr


def test_a_large_result_and_a_large_statement_cross_both_tls_legs(sandbox, grouter):
    ca = tls_paths(sandbox)["ca"]
    g = grouter({"routing:t": terminated(sandbox, client="REQUIRED", server="REQUIRED")})
    conn = connect(g.route_port("t"), ssl={"ca": ca})
    try:
        big = "x" * (3 * 1024 * 1024)
        assert scalar(conn, "SELECT LENGTH(%s)", (big,)) == len(big)
        assert scalar(conn, "SELECT LENGTH(REPEAT('y', 20000000))") == 20000000
        assert len(scalar(conn, "SELECT REPEAT('z', 5000000)")) == 5000000
    finally:
        conn.close()


@pytest.mark.parametrize("options, message", [
    ({"client_ssl_mode": "PREFERRED"}, "client_ssl_cert must be set, if client_ssl_mode is 'PREFERRED'."),
    ({"client_ssl_mode": "PASSTHROUGH", "server_ssl_mode": "REQUIRED"},
     "If client_ssl_mode is PASSTHROUGH, server_ssl_mode must be AS_CLIENT."),
    ({"client_ssl_mode": "DISABLED", "server_ssl_mode": "REQUIRED", "server_ssl_verify": "VERIFY_CA"},
     "server_ssl_ca must be set, if server_ssl_verify is 'VERIFY_CA'."),
    ({"client_ssl_mode": "SOMETIMES"}, "expected DISABLED, PREFERRED, REQUIRED or PASSTHROUGH"),
])
def test_invalid_tls_options_are_refused_at_start(sandbox, tmp_path, options, message):
    from harness import Grouter
    g = Grouter(tmp_path / "g", {"routing:t": {"destinations": sandbox.addr(1), **options}})
    g.write_config()
    import subprocess
    done = subprocess.run([g.binary, "--config", str(g.config_path)], capture_output=True,
                          text=True, timeout=20)
    assert done.returncode == 1
    assert message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_an_unreadable_certificate_is_refused_at_start(sandbox, tmp_path):
    from harness import Grouter
    import subprocess
    g = Grouter(tmp_path / "g", {"routing:t": terminated(sandbox, client="REQUIRED",
                                                         client_ssl_cert=str(tmp_path / "none.pem"))})
    g.write_config()
    done = subprocess.run([g.binary, "--config", str(g.config_path)], capture_output=True,
                          text=True, timeout=20)
    assert done.returncode == 1
    assert "[routing:t] client_ssl_cert=" in done.stderr, done.stderr


@pytest.mark.parametrize("driver", ["connectorj", "mysql2"])
def test_connectorj_and_mysql2_over_tls_on_a_terminated_route(sandbox, grouter, connectorj_classes,
                                                              mysql2_installed, driver):
    from clients import connectorj, mysql2
    g = grouter({"routing:t": terminated(sandbox, node=2, client="REQUIRED", server="REQUIRED")})
    port = g.route_port("t")
    statements = ["SELECT @@server_id", "ps:SELECT CAST(? AS SIGNED) * 2|21",
                  "SHOW SESSION STATUS LIKE 'Ssl_cipher'", "START TRANSACTION",
                  "ps:SELECT COUNT(*) FROM test.t_absent_or_present WHERE 1 = ?|1", "ROLLBACK"]
    if driver == "connectorj":
        tls = {"useSsl": "true", "trustServerCertificate": "true", "useServerPrepStmts": "true"}
        run = connectorj(connectorj_classes, port, statements, options=tls)
        denied = connectorj(connectorj_classes, port, ["SELECT 1"], password="wrong", options=tls)
    else:
        tls = {"ssl": '{"rejectUnauthorized": false}'}
        run = mysql2(port, statements, options=tls)
        denied = mysql2(port, ["SELECT 1"], password="wrong", options=tls)
    # REQUIRED refuses a plain client (4188): connecting at all shows the driver used TLS.
    assert run.connected, run.lines
    rows = run.rows
    assert rows[0] == ["2"] and rows[1] == ["42"], run.lines
    assert rows[2][0] == "Ssl_cipher" and rows[2][1] not in ("", "NULL"), run.lines  # TLS to node 2
    assert [e.code for e in run.errors] == [1146], run.lines  # the table does not exist: the node's own error
    assert not denied.connected and denied.errors[0].code == 1045, denied.lines
