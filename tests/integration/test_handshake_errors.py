"""Errors grouter sends itself before the storage node's greeting (no destination 1429,
max_connections 1040, blocked host 1129) reach every client as sent: the mariadb CLI (libmariadb),
PyMySQL, MariaDB Connector/J and node's mysql2 each show grouter's code and message.

grouter answers the way a server refuses after its greeting (routing/refusal.h). What a MariaDB node
sends for its own 1040 before its greeting — an ERR in place of the greeting, without SQL state —
is compared below: there the CLI shows 2002, Connector/J loses the code and PyMySQL cuts the
message."""
import socket

import pymysql
import pytest

from clients import (cli_error, connect, connect_error, connectorj, mysql2, raw_connect,
                     read_packet, wait_closed)
from harness import wait_until
from test_group import cleanup_group, start_group_without_majority

kClients = ["mariadb-cli", "pymysql", "connector-j", "mysql2"]


@pytest.fixture
def refused_by(connectorj_classes, mysql2_installed):
    """refused_by(client, port) -> (code, sql_state or None, message) of a failed connect."""
    def run(client, port):
        if client == "mariadb-cli":
            return cli_error(port)
        if client == "pymysql":  # PyMySQL keeps no SQL state
            code, message = connect_error(port)
            return code, None, message
        result = (connectorj(connectorj_classes, port) if client == "connector-j"
                  else mysql2(port))
        assert not result.connected and len(result.errors) == 1, result
        error = result.errors[0]
        return error.code, error.sql_state, error.message
    return run


def assert_shows(client, seen, code, sql_state, message):
    seen_code, seen_state, seen_message = seen
    assert seen_code == code, (client, seen)
    if seen_state is not None:
        assert seen_state == sql_state, (client, seen)
    if client == "connector-j":
        # Connector/J puts where it connected and the connection id before the server's message.
        assert seen_message.endswith(f": (conn=0) {message}"), (client, seen)
    else:
        assert seen_message == message, (client, seen)


def no_destination_message(port):
    return f"Can't connect to remote MySQL server for client connected to '127.0.0.1:{port}'"


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("client", kClients)
def test_no_destination_shows_1429(grouter, refused_by, closed_port, client):
    g = grouter({"routing:r": {"destinations": f"127.0.0.1:{closed_port}", "connect_timeout": 1}})
    port = g.route_port("r")
    assert_shows(client, refused_by(client, port), 1429, "HY000", no_destination_message(port))


@pytest.mark.parametrize("client", kClients)
def test_max_connections_shows_1040(sandbox, grouter, refused_by, client):
    g = grouter({"routing:r": {"destinations": sandbox.addr(1), "max_connections": 1}})
    port = g.route_port("r")
    holder = connect(port)
    try:
        assert_shows(client, refused_by(client, port), 1040, "08004",
                     "Too many connections to route 'r' (max_connections = 1)")
    finally:
        holder.close()


@pytest.mark.parametrize("client", kClients)
def test_blocked_host_shows_1129(sandbox, grouter, refused_by, client):
    g = grouter({"routing:r": {"destinations": sandbox.addr(1), "max_connect_errors": 1}})
    port = g.route_port("r")
    bad = raw_connect(port)
    seq, greeting = read_packet(bad)
    assert seq == 0 and greeting[:1] == b"\x0a", "expected the node's greeting"
    bad.sendall(b"\x01\x00\x00\x01\xee" + b"GET / HTTP/1.1\r\n\r\n")  # no MySQL handshake
    assert wait_closed(bad, 10)
    bad.close()
    wait_until(lambda: g.rest("/api/20190715/routes/r/blockedHosts")[1] == {"items": ["127.0.0.1"]},
               10, "127.0.0.1 to be blocked")
    assert_shows(client, refused_by(client, port), 1129, "HY000",
                 "Host '127.0.0.1' is blocked because of 1 connection errors (max_connect_errors) "
                 "on route 'r'")


def test_refusal_is_a_greeting_then_the_err_after_the_clients_response(grouter, closed_port):
    """The bytes: grouter's greeting (protocol 10, no TLS offered), and after the client's
    HandshakeResponse the ERR with sequence id 2 and '#' + SQL state; then grouter waits for the
    client to close (closing on unread bytes could reset the connection before the ERR is read)."""
    g = grouter({"routing:r": {"destinations": f"127.0.0.1:{closed_port}", "connect_timeout": 1}})
    port = g.route_port("r")
    s = raw_connect(port)
    seq, greeting = read_packet(s)
    assert seq == 0 and greeting[0] == 10 and b"-grouter\x00" in greeting, greeting
    capabilities = int.from_bytes(greeting[greeting.index(b"\x00") + 14:][:2], "little")
    assert capabilities & 0x0200 and not capabilities & 0x0800, hex(capabilities)  # 4.1, no TLS
    response = (0x0200 | 0x8000 | 0x80000).to_bytes(4, "little") + bytes(4) + b"\x2d" + bytes(23) \
        + b"app\x00\x00mysql_native_password\x00"
    s.sendall(len(response).to_bytes(3, "little") + b"\x01" + response)
    seq, err = read_packet(s)
    message = no_destination_message(port).encode()
    assert (seq, err) == (2, b"\xff" + (1429).to_bytes(2, "little") + b"#HY000" + message)
    s.shutdown(socket.SHUT_WR)
    assert wait_closed(s, 10)
    s.close()


def test_a_group_route_without_a_primary_shows_1429(tmp_path, refused_by):
    """The issue's case: the demo's primary killed while no majority is left; every client waits
    destination_wait_timeout, then shows 1429, not a malformed packet."""
    sb, g = start_group_without_majority(tmp_path, route_options={"destination_wait_timeout": 1})
    try:
        port = g.route_port("primary")
        for client in kClients:
            code, state, message = refused_by(client, port)
            assert code == 1429 and state in ("HY000", None), (client, code, state, message)
            assert no_destination_message(port) in message, (client, message)
    finally:
        cleanup_group(sb, g)


class HeldConnections:
    """Holds connections to a node until it refuses the next one before its greeting (1040)."""

    def __init__(self, sandbox, node):
        self.sandbox, self.node, self.held = sandbox, node, []

    def __enter__(self):
        self.sandbox.sql(self.node, "SET GLOBAL max_connections = 10")
        port = self.sandbox.port(self.node)
        try:
            while True:  # up to max_connections, plus the one more a SUPER user is allowed
                self.held.append(connect(port, user="admin", password="admin_pw"))
        except pymysql.err.OperationalError as err:
            assert err.args[0] == 1040, err
        return self

    def __exit__(self, *exc):
        for conn in self.held:
            conn.close()
        self.sandbox.sql(self.node, "SET GLOBAL max_connections = 2000")


def test_compared_with_mariadbs_own_refusal_before_its_greeting(sandbox, refused_by):
    """MariaDB sends its own 1040 in place of the greeting, as ERR seq 0 without SQL state: clients
    see less of it than of grouter's refusal (the tests above). Recorded here so a client that
    changes shows up."""
    with HeldConnections(sandbox, 3):
        port = sandbox.port(3)
        s = raw_connect(port)
        seq, packet = read_packet(s)
        s.close()
        assert (seq, packet) == (0, b"\xff\x10\x04Too many connections")  # 1040, no '#' state
        seen = {client: refused_by(client, port) for client in kClients}
    # The CLI expects TLS and cannot trust an error that came before it: code 2002, 1040 inside.
    cli_code, _, cli_message = seen["mariadb-cli"]
    assert cli_code == 2002 and "1040 - Too many connections" in cli_message
    # PyMySQL 1.0 always skips a '#' and 5-character SQL state: "Too ma" is lost.
    assert seen["pymysql"][0] == 1040 and seen["pymysql"][2] == "ny connections"
    # Connector/J 2.7 keeps the message of an ERR in place of the greeting, not its code.
    assert seen["connector-j"][0] == -1 and seen["connector-j"][2].endswith("Too many connections")
    assert seen["mysql2"][:1] == (1040,) and seen["mysql2"][2] == "Too many connections"
