"""Real third-party clients for the integration tests: PyMySQL, MySQLdb, the mariadb CLI, and a raw
socket that speaks only as much of the protocol as the bad-input tests need."""
import socket
import subprocess
import time

import MySQLdb
import pymysql

USER, PASSWORD = "app", "app_pw"
kMaxPacket = 64 * 1024 * 1024


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
