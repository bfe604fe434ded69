"""Real third-party clients for the integration tests: PyMySQL, MySQLdb, the mariadb CLI, MariaDB
Connector/J and node's mysql2 (through the small programs in tests/clients), and a raw socket that
speaks only as much of the protocol as the bad-input tests need."""
import ctypes
import hashlib
import re
import socket
import ssl
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


# ---- a raw logged-in session (mysql_native_password), for bad input after authentication

kClientLongPassword = 0x1
kClientConnectWithDb = 0x8
kClientProtocol41 = 0x200
kClientSsl = 0x800
kClientTransactions = 0x2000
kClientSecureConnection = 0x8000
kClientMultiResults = 0x20000
kClientPluginAuth = 0x80000
kRawCapabilities = (kClientLongPassword | kClientProtocol41 | kClientTransactions |
                    kClientSecureConnection | kClientMultiResults | kClientPluginAuth)


def native_scramble(password, nonce):
    """mysql_native_password: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw)))."""
    stage1 = hashlib.sha1(password.encode()).digest()
    stage2 = hashlib.sha1(stage1).digest()
    mix = hashlib.sha1(nonce + stage2).digest()
    return bytes(a ^ b for a, b in zip(stage1, mix))


def greeting_nonce(greeting):
    """The 20-byte nonce of a Handshake v10 payload."""
    version_end = greeting.index(b"\0", 1)
    pos = version_end + 1 + 4  # connection id
    part1 = greeting[pos:pos + 8]
    pos += 8 + 1 + 2 + 1 + 2 + 2  # filler, capabilities low, charset, status, capabilities high
    auth_len = greeting[pos]
    pos += 1 + 10
    part2 = greeting[pos:pos + max(13, auth_len - 8)]
    return (part1 + part2)[:20]


def frame(sequence_id, payload):
    return len(payload).to_bytes(3, "little") + bytes([sequence_id]) + payload


def raw_login(port, user=USER, password=PASSWORD, tls=False, timeout_s=10):
    """Logs in through 127.0.0.1:port with a hand-made handshake (TLS first when asked, without
    verifying the certificate) -> the socket (an ssl.SSLSocket with TLS), ready for commands.
    AssertionError unless the login ends with OK."""
    sock = raw_connect(port, timeout_s)
    _, greeting = read_packet(sock)
    assert greeting[:1] == b"\x0a", f"expected a Handshake v10, got {greeting[:16]!r}"
    nonce = greeting_nonce(greeting)
    capabilities = kRawCapabilities | (kClientSsl if tls else 0)
    fixed = capabilities.to_bytes(4, "little") + kMaxPacket.to_bytes(4, "little") + b"\x21" + b"\0" * 23
    sequence_id = 1
    if tls:
        sock.sendall(frame(sequence_id, fixed))
        sequence_id += 1
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock)
    auth = native_scramble(password, nonce)
    response = fixed + user.encode() + b"\0" + bytes([len(auth)]) + auth + b"mysql_native_password\0"
    sock.sendall(frame(sequence_id, response))
    _, reply = read_packet(sock)
    assert reply[:1] == b"\x00", f"login through {port} failed: {reply!r}"
    return sock


def raw_query(sock, sql):
    """Sends COM_QUERY and reads the whole reply -> (first payload, [payloads]). Result sets are read
    up to their final EOF/OK (classic EOF protocol: raw_login does not ask for DEPRECATE_EOF)."""
    sock.sendall(frame(0, b"\x03" + sql.encode()))
    _, first = read_packet(sock)
    payloads = [first]
    if first[:1] in (b"\x00", b"\xff", b""):
        return first, payloads
    eofs = 0
    while eofs < 2:
        _, payload = read_packet(sock)
        assert payload, "the connection closed inside a result set"
        payloads.append(payload)
        if payload[:1] == b"\xfe" and len(payload) < 9:
            eofs += 1
        elif payload[:1] == b"\xff":
            break
    return first, payloads


def raw_scalar(sock, sql):
    """The first column of the first row of SQL's result, as text."""
    first, payloads = raw_query(sock, sql)
    assert first[:1] not in (b"\x00", b"\xff"), f"no result set: {first!r}"
    columns = first[0]
    row = payloads[1 + columns + 1]
    length = row[0]
    return row[1:1 + length].decode()


def connectorc_cursor_fetch(port, sql, prefetch_rows, user=USER, password=PASSWORD,
                            database="test", ssl_ca=None, between=None):
    """Runs SQL as a server-side prepared statement with a read-only cursor through MariaDB
    Connector/C (libmariadb, the library under MySQLdb and the mariadb CLI, called with ctypes):
    the rows come with COM_STMT_FETCH, PREFETCH_ROWS at a time; over TLS with SSL_CA given. -> the
    number of rows fetched; with BETWEEN, that statement runs (mysql_query) after the first row,
    while the cursor is open, and ([its rows], rows fetched) is returned;
    AssertionError with the library's message on an error."""
    lib = ctypes.CDLL("libmariadb.so.3")
    lib.mysql_init.restype = ctypes.c_void_p
    lib.mysql_init.argtypes = [ctypes.c_void_p]
    lib.mysql_real_connect.restype = ctypes.c_void_p
    lib.mysql_real_connect.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                       ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint,
                                       ctypes.c_char_p, ctypes.c_ulong]
    lib.mysql_error.restype = ctypes.c_char_p
    lib.mysql_error.argtypes = [ctypes.c_void_p]
    lib.mysql_close.argtypes = [ctypes.c_void_p]
    lib.mysql_ssl_set.argtypes = [ctypes.c_void_p] + [ctypes.c_char_p] * 5
    lib.mysql_stmt_init.restype = ctypes.c_void_p
    lib.mysql_stmt_init.argtypes = [ctypes.c_void_p]
    lib.mysql_stmt_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.mysql_stmt_prepare.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ulong]
    lib.mysql_stmt_execute.argtypes = [ctypes.c_void_p]
    lib.mysql_stmt_fetch.argtypes = [ctypes.c_void_p]
    lib.mysql_stmt_error.restype = ctypes.c_char_p
    lib.mysql_stmt_error.argtypes = [ctypes.c_void_p]
    lib.mysql_stmt_close.argtypes = [ctypes.c_void_p]
    lib.mysql_query.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.mysql_store_result.restype = ctypes.c_void_p
    lib.mysql_store_result.argtypes = [ctypes.c_void_p]
    lib.mysql_fetch_row.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.mysql_fetch_row.argtypes = [ctypes.c_void_p]
    lib.mysql_free_result.argtypes = [ctypes.c_void_p]
    kAttrCursorType, kAttrPrefetchRows, kCursorReadOnly, kNoData = 1, 2, 1, 100
    mysql = lib.mysql_init(None)
    try:
        if ssl_ca:
            lib.mysql_ssl_set(mysql, None, None, ssl_ca.encode(), None, None)
        if not lib.mysql_real_connect(mysql, b"127.0.0.1", user.encode(), password.encode(),
                                      database.encode(), port, None, 0):
            raise AssertionError(f"Connector/C connect: {lib.mysql_error(mysql).decode()}")
        stmt = lib.mysql_stmt_init(mysql)
        try:
            cursor = ctypes.c_ulong(kCursorReadOnly)
            prefetch = ctypes.c_ulong(prefetch_rows)
            lib.mysql_stmt_attr_set(stmt, kAttrCursorType, ctypes.byref(cursor))
            lib.mysql_stmt_attr_set(stmt, kAttrPrefetchRows, ctypes.byref(prefetch))
            sql_bytes = sql.encode()
            if lib.mysql_stmt_prepare(stmt, sql_bytes, len(sql_bytes)) or lib.mysql_stmt_execute(stmt):
                raise AssertionError(f"Connector/C: {lib.mysql_stmt_error(stmt).decode()}")
            rows = 0
            between_rows = None
            while True:
                rc = lib.mysql_stmt_fetch(stmt)
                if rc == kNoData:
                    return rows if between is None else (between_rows, rows)
                if rc == 1:
                    raise AssertionError(f"Connector/C fetch: {lib.mysql_stmt_error(stmt).decode()}")
                rows += 1
                if between is not None and between_rows is None:
                    if lib.mysql_query(mysql, between.encode()):
                        raise AssertionError(f"Connector/C query: {lib.mysql_error(mysql).decode()}")
                    result = lib.mysql_store_result(mysql)
                    between_rows = []
                    while row := lib.mysql_fetch_row(result):
                        between_rows.append(row[0].decode())
                    lib.mysql_free_result(result)
        finally:
            lib.mysql_stmt_close(stmt)
    finally:
        lib.mysql_close(mysql)
