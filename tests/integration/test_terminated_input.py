"""Bad input after authentication on terminated routes — client_ssl_mode DISABLED, REQUIRED (TLS on
both legs) and the read/write-splitting route (access_mode = auto), plain and with TLS on both legs
as port 6450 in the demo: garbage as a
command, a 16 MiB frame header then silence or a close, a half TLS handshake, a client that asks
for a large result and never reads it (back-pressure: grouter stops reading the node and its memory
stays bounded), a client that leaves in the middle of a result. Each ends with an error or a clean
close, the route's other sessions are served meanwhile, the node's side of the session goes away
when the client does, and grouter's RSS stays bounded.

Logins are hand-made (clients.raw_login: mysql_native_password, TLS when the route requires it)."""
import contextlib
import random
import socket
import ssl
import time

import pytest

from clients import (connect, frame, kClientSsl, kMaxPacket, kRawCapabilities, raw_connect,
                     raw_login, raw_scalar, read_packet, scalar, wait_closed)
from harness import API, wait_until
from split_harness import split_group  # noqa: F401  (the module's group, for the split route)
from test_bad_input import WellBehavedClient
from test_terminated import terminated, tls_paths

kClientConnectTimeoutS = 2
kBigResultRows = 400_000  # x 1 KiB: 400 MiB, far more than any buffer grouter may keep
kBigResult = f"SELECT REPEAT('x', 1024) FROM test.seq_1_to_{kBigResultRows}"
kRssSlackKb = 48 * 1024  # one 16 MiB frame in a FrameBuffer, TLS buffers, allocator slack


class RouteUnderTest:
    """A route of a running grouter, and how to see the sessions its nodes hold."""

    def __init__(self, kind, g, route, tls, node_sql, nodes, client_ssl):
        self.kind, self.g, self.route, self.tls = kind, g, route, tls
        self.port = g.route_port(route)
        self._node_sql, self._nodes = node_sql, nodes
        self.client_ssl = client_ssl  # PyMySQL's ssl argument for the well-behaved client

    def node_sessions(self):
        """The app user's sessions on every node of the route."""
        def count(i):
            out = self._node_sql(i, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                    "WHERE USER = 'app'")
            return int(out.split()[-1])

        def count_retrying(i):  # the admin's own connection may fail on a loaded machine
            for attempt in range(3):
                try:
                    return count(i)
                except AssertionError:
                    if attempt == 2:
                        raise
                    time.sleep(1)
        return sum(count_retrying(i) for i in self._nodes)

    def login(self):
        return raw_login(self.port, tls=self.tls)

    def good_client(self):
        if self.client_ssl is None:
            return WellBehavedClient(self.port)
        return WellBehavedClient(self.port, ssl=self.client_ssl)

    def active_connections(self):
        status, body = self.g.rest(f"{API}/routes/{self.route}/status")
        assert status == 200, body
        return body["activeConnections"]

    def bytes_from_server(self):
        status, body = self.g.rest(f"{API}/routes/{self.route}/connections")
        assert status == 200, body
        return sum(item["bytesFromServer"] for item in body["items"])


@pytest.fixture(scope="module")
def terminated_grouter(sandbox, tmp_path_factory):
    from conftest import _factory, _stop_all
    start, started = _factory(tmp_path_factory.mktemp("terminated_input"))
    common = {"client_connect_timeout": kClientConnectTimeoutS, "max_connect_errors": 1000000}
    yield start({"routing:plain": terminated(sandbox, **common),
                 "routing:tls": terminated(sandbox, client="REQUIRED", server="REQUIRED", **common)})
    _stop_all(started)


@pytest.fixture(params=["plain", "tls", "split", "split_tls"])
def route(request):
    if request.param.startswith("split"):
        sb, g = request.getfixturevalue("split_group")
        if request.param == "split":
            return RouteUnderTest("split", g, "rw", False, sb.sql, (1, 2, 3), None)
        return RouteUnderTest("split_tls", g, "rw_tls", True, sb.sql, (1, 2, 3), {"ca": sb.ssl_ca})
    sandbox = request.getfixturevalue("sandbox")
    g = request.getfixturevalue("terminated_grouter")
    tls = request.param == "tls"
    return RouteUnderTest(request.param, g, request.param, tls, sandbox.sql, (1,),
                          {"ca": tls_paths(sandbox)["ca"]} if tls else None)


class Watch:
    """What abuse() yields: the well-behaved client and grouter's RSS before the abuse."""

    def __init__(self, route, good):
        self.route, self.good = route, good
        self.baseline_sessions = route.node_sessions()
        self.baseline_kb = route.g.rss_kb()

    def assert_rss_bounded(self):
        rss_kb = self.route.g.rss_kb()
        assert rss_kb < self.baseline_kb + kRssSlackKb, \
            f"{self.route.kind}: RSS {rss_kb} kB, baseline {self.baseline_kb} kB"


@contextlib.contextmanager
def abuse(route, what):
    """A well-behaved client of the route is served through the block (a Watch); afterwards the
    nodes hold only its sessions (those of the clients WHAT names closed), it is still served,
    grouter is alive and its RSS bounded."""
    with route.good_client() as good:
        watch = Watch(route, good)
        yield watch
        last = [None]

        def sessions_back():
            last[0] = route.node_sessions()
            return last[0] == watch.baseline_sessions
        try:
            wait_until(sessions_back, 20, f"the node sessions of {what} to close")
        except AssertionError as err:
            raise AssertionError(f"{route.kind}: {err}: the nodes hold {last[0]} app sessions, "
                                 f"{watch.baseline_sessions} expected") from None
        good.assert_served()
    assert route.g.alive()
    watch.assert_rss_bounded()


def close_hard(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def reply_or_close(sock, timeout_s):
    """What the peer does next within timeout_s: 'err' (an ERR packet), 'closed', 'other' or
    'silent'."""
    sock.settimeout(timeout_s)
    try:
        _, payload = read_packet(sock)
    except socket.timeout:
        return "silent"
    except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
        return "closed"
    if not payload:
        return "closed"
    return "err" if payload[:1] == b"\xff" else "other"


def test_garbage_as_a_command_gets_an_error_or_a_close(route):
    with abuse(route, "the clients that sent garbage") as watch:
        for seed in range(5):
            s = route.login()
            assert raw_scalar(s, "SELECT 1") == "1"
            junk = random.Random(seed).randbytes(4096)
            # A well-framed command of an unknown command byte, then unframed junk.
            s.sendall(frame(0, b"\xee" + junk[:100]))
            outcome = reply_or_close(s, 10)
            assert outcome in ("err", "closed"), f"{route.kind}: unknown command byte -> {outcome}"
            if outcome == "err":
                s.sendall(junk)
                outcome = reply_or_close(s, 5)
                assert outcome in ("err", "closed", "silent"), outcome
            close_hard(s)
            watch.good.assert_served()


@pytest.mark.parametrize("then", ["silence", "close"])
def test_a_16mib_header_after_login_then_silence_or_close(route, then):
    with abuse(route, "the client that announced 16 MiB") as watch:
        s = route.login()
        s.sendall(b"\xff\xff\xff\x00" + b"\x03SELECT '" + b"x" * 65536)  # 16 MiB - 1 announced
        watch.good.assert_served()
        if then == "silence":
            time.sleep(kClientConnectTimeoutS + 1)  # past any handshake bound: the session lives
            watch.good.assert_served()
            watch.assert_rss_bounded()
        close_hard(s)


@pytest.mark.parametrize("then", ["stall", "close"])
def test_a_half_tls_handshake_on_a_required_route(sandbox, terminated_grouter, then):
    route = RouteUnderTest("tls", terminated_grouter, "tls", True, sandbox.sql, (1,),
                           {"ca": tls_paths(sandbox)["ca"]})
    with route.good_client() as good:
        good.assert_served()
        # The good client's, and any an earlier test's client left behind that is still closing.
        before = route.active_connections()
        s = raw_connect(route.port)
        _, greeting = read_packet(s)
        assert greeting[:1] == b"\x0a"
        request = ((kRawCapabilities | kClientSsl).to_bytes(4, "little") +
                   kMaxPacket.to_bytes(4, "little") + b"\x21" + b"\0" * 23)
        s.sendall(frame(1, request))
        # The start of a TLS 1.2 ClientHello record that announces 512 bytes and sends 40.
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(29))
        started = time.monotonic()
        if then == "stall":
            assert wait_closed(s, kClientConnectTimeoutS + 5), "a stalled TLS handshake left open"
            elapsed = time.monotonic() - started
            assert elapsed < kClientConnectTimeoutS + 3, f"closed after {elapsed:.1f}s"
        s.close()
        wait_until(lambda: route.active_connections() <= before, 10,
                   "the half-handshaken connection to leave the route")
        good.assert_served()
    assert route.g.alive()


def test_a_client_that_never_reads_a_large_result_is_held_back(route):
    """Back-pressure: grouter stops reading the node while the client does not read."""
    with abuse(route, "the slow reader") as watch:
        s = route.login()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        s.sendall(frame(0, b"\x03" + kBigResult.encode()))
        # Let it fill every buffer on the way, then watch: the bytes grouter took from the node
        # stop growing, far below the result's size, and its memory stays bounded.
        time.sleep(3)
        first = route.bytes_from_server()
        for _ in range(10):
            time.sleep(0.3)
            watch.assert_rss_bounded()
            watch.good.assert_served()
        later = route.bytes_from_server()
        assert later - first < 4 * 1024 * 1024, \
            f"{route.kind}: grouter read {later - first} more bytes from the node while the client read none"
        assert later < kBigResultRows * 1024 // 4, f"grouter read {later} bytes of the result"
        # The client reads a little, then leaves: the node's side goes away.
        s.settimeout(10)
        assert len(s.recv(65536)) > 0
        close_hard(s)


def test_a_client_that_leaves_in_the_middle_of_a_result(route):
    with abuse(route, "the clients that left mid-result") as watch:
        for _ in range(3):
            s = route.login()
            s.sendall(frame(0, b"\x03" + kBigResult.encode()))
            got = 0
            s.settimeout(10)
            while got < 2 * 1024 * 1024:
                chunk = s.recv(65536)
                assert chunk, "grouter closed before the client did"
                got += len(chunk)
            close_hard(s)
            watch.good.assert_served()
    # The route still serves a whole result to a new session.
    conn = connect(route.port, ssl=route.client_ssl) if route.client_ssl else connect(route.port)
    try:
        assert scalar(conn, "SELECT COUNT(*) FROM test.seq_1_to_100000") == 100000
    finally:
        conn.close()


def test_a_long_pipeline_of_commands_is_answered(route):
    """A client may send commands ahead of their replies (MariaDB's connectors pipeline); a server
    answers each in turn however many there are, and so must grouter."""
    commands = 2000
    with abuse(route, "the pipelining client"):
        s = route.login()
        s.sendall(b"".join(frame(0, b"\x0e") for _ in range(commands)))  # COM_PING
        s.settimeout(20)
        for i in range(commands):
            _, payload = read_packet(s)
            assert payload[:1] == b"\x00", f"{route.kind}: reply {i} of {commands}: {payload!r}"
        assert raw_scalar(s, "SELECT 1") == "1"
        close_hard(s)
