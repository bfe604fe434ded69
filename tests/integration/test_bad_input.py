"""Bad input on a route: random bytes, a 16 MiB header followed by silence, a handshake never finished,
thousands of connect/close cycles. Meanwhile a well-behaved client keeps being served, memory returns
near its baseline, and grouter stays alive."""
import random
import socket
import threading
import time

import pytest

from clients import connect, raw_connect, read_packet, scalar, wait_closed
from harness import wait_until

kClientConnectTimeoutS = 2
kCycles = 3000


@pytest.fixture
def routed(sandbox, grouter):
    # max_connect_errors is high: these tests abuse the route on purpose and must not block 127.0.0.1
    return grouter({"routing:r": {"destinations": sandbox.addr(1),
                                  "client_connect_timeout": kClientConnectTimeoutS,
                                  "max_connect_errors": 1000000}})


class WellBehavedClient:
    """Runs one query after another on its own connection in a thread; counts failures."""

    def __init__(self, port, **connect_kw):
        self.conn = connect(port, **connect_kw)
        self.queries = 0
        self.failures = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        while not self._stop.is_set():
            try:
                assert scalar(self.conn, "SELECT 1 + 1") == 2
                self.queries += 1
            except Exception as err:  # noqa: BLE001 - recorded and asserted by the test
                self.failures.append(repr(err))
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)
        self.conn.close()

    def assert_served(self):
        before = self.queries
        wait_until(lambda: self.queries > before, 5, "the well-behaved client to be served")
        assert not self.failures, self.failures


@pytest.mark.parametrize("after_greeting", [False, True])
def test_random_bytes(routed, after_greeting):
    port = routed.route_port("r")
    with WellBehavedClient(port) as good:
        for seed in range(20):
            s = raw_connect(port)
            if after_greeting:
                seq, greeting = read_packet(s)
                assert seq == 0 and greeting[0] == 10, "expected the server's Handshake v10"
            s.sendall(random.Random(seed).randbytes(65536 if after_greeting else 4096))
            assert wait_closed(s, kClientConnectTimeoutS + 10), "connection left open"
            s.close()
        good.assert_served()
    assert routed.alive()


def test_16mib_header_then_silence_is_closed(routed):
    port = routed.route_port("r")
    with WellBehavedClient(port) as good:
        s = raw_connect(port)
        read_packet(s)
        s.sendall(b"\xff\xff\xff\x01")  # a 16 MiB - 1 payload announced, never sent
        started = time.monotonic()
        good.assert_served()
        assert wait_closed(s, kClientConnectTimeoutS + 5), \
            "a client that never finishes its handshake must be closed after client_connect_timeout"
        assert time.monotonic() - started < kClientConnectTimeoutS + 5
        s.close()
        good.assert_served()
    assert routed.alive()


def test_16mib_command_header_then_silence_after_login(routed, sandbox):
    """A logged-in client announces a 16 MiB command, sends a little of it and goes silent, then
    leaves: others are served meanwhile, and grouter closes the server side when the client leaves."""
    port = routed.route_port("r")
    stuck = connect(port)
    thread_id = scalar(stuck, "SELECT CONNECTION_ID()")
    with WellBehavedClient(port) as good:
        stuck._sock.sendall(b"\xff\xff\xff\x00" + b"\x03SELECT '" + b"x" * 65536)
        good.assert_served()
        stuck._sock.shutdown(socket.SHUT_RDWR)  # PyMySQL's reader still holds the fd: close for real
        stuck._sock.close()
        good.assert_served()
    on_node = f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = {thread_id}"
    wait_until(lambda: sandbox.sql(1, on_node) == "0", 15,
               "grouter to close the server connection of the client that left")
    assert routed.alive()


def test_unfinished_handshake_closed_after_client_connect_timeout(routed):
    port = routed.route_port("r")
    s = raw_connect(port)
    started = time.monotonic()
    seq, greeting = read_packet(s)
    assert seq == 0 and greeting[0] == 10
    assert wait_closed(s, kClientConnectTimeoutS + 5)
    elapsed = time.monotonic() - started
    s.close()
    assert kClientConnectTimeoutS - 0.5 <= elapsed < kClientConnectTimeoutS + 3, \
        f"closed after {elapsed:.1f}s, client_connect_timeout = {kClientConnectTimeoutS}s"
    assert scalar(connect(port), "SELECT 1") == 1


def test_thousands_of_connect_close_cycles(routed):
    port = routed.route_port("r")
    for _ in range(50):  # warm up: pools, allocator arenas, one connection per worker at least
        connect(port).close()
    baseline_kb = routed.rss_kb()
    with WellBehavedClient(port) as good:
        for i in range(kCycles):
            s = raw_connect(port)
            if i % 2:
                read_packet(s)  # half of them wait for the greeting, half leave at once
            s.close()
        good.assert_served()
    assert routed.alive()
    limit_kb = baseline_kb * 1.25 + 8 * 1024
    wait_until(lambda: routed.rss_kb() <= limit_kb, 15,
               f"RSS to return near its baseline of {baseline_kb} kB (limit {limit_kb:.0f} kB)")
    assert scalar(connect(port), "SELECT 1") == 1
