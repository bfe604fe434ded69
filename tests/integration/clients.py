"""Real third-party clients for the integration tests: PyMySQL, MySQLdb, the mariadb CLI, MariaDB
Connector/J and node's mysql2 (through the small programs in tests/clients), and a raw socket that
speaks only as much of the protocol as the bad-input tests need."""
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import MySQLdb
import pymysql

USER, PASSWORD = "app", "app_pw"
kMaxPacket = 64 * 1024 * 1024

CLIENTS_DIR = Path(__file__).resolve().parents[1] / "clients"
CONNECTOR_J_JAR = "/usr/share/java/mariadb-java-client.jar"


def connect(port, user=USER, password=PASSWORD, **kw):
    """A PyMySQL connection through 127.0.0.1:port."""
    kw.setdefault("connect_timeout", 10)
    kw.setdefault("max_allowed_packet", kMaxPacket)
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password, **kw)


def query(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def scalar(conn, sql, args=None):
    return query(conn, sql, args)[0][0]


def server_id(port):
    """@@server_id of the node a fresh connection through port reaches."""
    conn = connect(port)
    try:
        return scalar(conn, "SELECT @@server_id")
    finally:
        conn.close()


def connect_error(port, **kw):
    """Connects through port expecting a failure; returns (code, message)."""
    try:
        conn = connect(port, **kw)
    except pymysql.err.MySQLError as err:
        return err.args[0], err.args[1] if len(err.args) > 1 else ""
    conn.close()
    raise AssertionError(f"connection through {port} succeeded, an error was expected")


def mysqldb_connect(port, user=USER, password=PASSWORD):
    return MySQLdb.connect(host="127.0.0.1", port=port, user=user, passwd=password, connect_timeout=10)


def cli(port, sql, user=USER, password=PASSWORD, extra=(), timeout_s=60):
    """Runs the mariadb CLI through 127.0.0.1:port (batch output, no column names)."""
    cmd = ["mariadb", "--no-defaults", "--protocol=TCP", "-h", "127.0.0.1", "-P", str(port),
           "-u", user, f"-p{password}", "--batch", "--skip-column-names",
           f"--max-allowed-packet={kMaxPacket}", *extra, "-e", sql]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)


def cli_error(port, user=USER, password=PASSWORD, extra=(), timeout_s=60):
    """Connects with the mariadb CLI expecting a failure; returns (code, sql_state, message) as its
    "ERROR CODE (STATE): MESSAGE" line shows them."""
    done = cli(port, "SELECT 1", user=user, password=password, extra=extra, timeout_s=timeout_s)
    found = re.match(r"ERROR (\d+) \((\w{5})\)(?: at line \d+)?: (.*)", done.stderr.strip(), re.S)
    assert done.returncode != 0 and found, f"expected an error from the CLI: {done!r}"
    return int(found[1]), found[2], found[3]


@dataclass
class ClientError:
    code: int
    sql_state: str
    message: str


@dataclass
class ClientRun:
    """What one run of a test client of tests/clients printed (one line per event, tab-separated:
    "connected", "row\tV...", "ok\tN", "error\tCODE\tSQLSTATE\tMESSAGE") and its exit status."""
    returncode: int
    lines: list

    @property
    def connected(self):
        return "connected" in self.lines

    @property
    def rows(self):
        return [line.split("\t")[1:] for line in self.lines if line.startswith("row\t")]

    @property
    def errors(self):
        out = []
        for line in self.lines:
            if line.startswith("error\t"):
                _, code, state, message = line.split("\t", 3)
                out.append(ClientError(int(code), state, message))
        return out


def _run_client(command, timeout_s):
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    assert done.returncode in (0, 1), f"{command[0]} client failed: {done.stdout}{done.stderr}"
    return ClientRun(done.returncode, done.stdout.splitlines())


def _client_args(port, statements, user, password, options):
    args = ["127.0.0.1", str(port), user, password]
    for key, value in options.items():
        args += ["--opt", f"{key}={value}"]
    return args + list(statements)


def build_connectorj(out_dir):
    """Compiles tests/clients/java/SqlClient.java into out_dir; returns out_dir (the classes)."""
    subprocess.run(["javac", "-d", str(out_dir), str(CLIENTS_DIR / "java" / "SqlClient.java")],
                   check=True, capture_output=True, text=True, timeout=120)
    return Path(out_dir)


def connectorj(classes, port, statements=(), user=USER, password=PASSWORD, options=None,
               timeout_s=60):
    """Runs MariaDB Connector/J (Debian's libmariadb-java) through 127.0.0.1:port with the client
    compiled by build_connectorj into classes; options are JDBC URL options. -> ClientRun"""
    command = ["java", "-cp", f"{CONNECTOR_J_JAR}:{classes}", "SqlClient",
               *_client_args(port, statements, user, password, options or {})]
    return _run_client(command, timeout_s)


def install_mysql2():
    """npm ci in tests/clients/node unless mysql2 is there already (run-tests.sh installs it)."""
    node_dir = CLIENTS_DIR / "node"
    if not (node_dir / "node_modules" / "mysql2" / "package.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=node_dir,
                       check=True, capture_output=True, text=True, timeout=600)


def mysql2(port, statements=(), user=USER, password=PASSWORD, options=None, timeout_s=60):
    """Runs node's mysql2 (tests/clients/node, after install_mysql2) through 127.0.0.1:port; options
    are mysql2 connection options. -> ClientRun"""
    command = ["node", str(CLIENTS_DIR / "node" / "sql_client.js"),
               *_client_args(port, statements, user, password, options or {})]
    return _run_client(command, timeout_s)


def raw_connect(port, timeout_s=10):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout_s)


def read_packet(sock):
    """Reads one protocol packet -> (sequence id, payload); b'' payload and None seq on EOF."""
    header = recv_exact(sock, 4)
    if header is None:
        return None, b""
    length = int.from_bytes(header[:3], "little")
    payload = recv_exact(sock, length)
    return header[3], payload or b""


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def wait_closed(sock, timeout_s):
    """Reads and discards until the peer closes; True if it closed within timeout_s."""
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            sock.settimeout(left)
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
