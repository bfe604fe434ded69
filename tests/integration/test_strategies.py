"""Routing strategies with MySQL Router's meaning over static destinations, checked by @@server_id per
connection; unreachable destinations; max_connections; max_connect_errors."""
import socket
import time

import pytest

from clients import connect, connect_error, raw_connect, server_id
from harness import API, free_port, wait_until
from test_config import assert_config_error

kConnections = 6


def ids(port, n=kConnections):
    return [server_id(port) for _ in range(n)]


def route(sandbox, strategy, nodes=(1, 2, 3), **options):
    dest = ",".join(sandbox.addr(i) for i in nodes)
    return {"routing:r": {"destinations": dest, "routing_strategy": strategy, **options}}


def test_first_available_always_takes_the_first_reachable(cluster, grouter):
    g = grouter(route(cluster, "first-available"))
    port = g.route_port("r")
    assert ids(port) == [1] * kConnections
    cluster.stop(1)
    assert ids(port) == [2] * kConnections, "a stopped first destination is skipped"
    cluster.stop(2)
    assert ids(port) == [3] * kConnections
    cluster.start(1, 2)
    # first-available goes back to the first destination once it is reachable again
    wait_until(lambda: server_id(port) == 1, 15, "first-available to return to node 1")
    assert ids(port) == [1] * kConnections


def test_next_available_sticks_to_the_next_and_does_not_go_back(cluster, grouter):
    g = grouter(route(cluster, "next-available"))
    port = g.route_port("r")
    assert ids(port) == [1] * kConnections
    cluster.stop(1)
    assert ids(port) == [2] * kConnections
    cluster.start(1)
    assert ids(port) == [2] * kConnections, "next-available must not go back to a failed destination"
    cluster.stop(2)
    assert ids(port) == [3] * kConnections
    cluster.start(2)
    assert ids(port) == [3] * kConnections


def test_round_robin_cycles(sandbox, grouter):
    g = grouter(route(sandbox, "round-robin"))
    seen = ids(g.route_port("r"), 9)
    assert sorted(seen[:3]) == [1, 2, 3], seen
    assert seen == seen[:3] * 3, f"round-robin must cycle in a fixed order: {seen}"


def test_round_robin_skips_a_stopped_destination(cluster, grouter):
    g = grouter(route(cluster, "round-robin"))
    port = g.route_port("r")
    cluster.stop(2)
    seen = ids(port, 8)
    assert set(seen) == {1, 3}, seen
    assert seen.count(1) == seen.count(3), f"the remaining destinations share the load: {seen}"


def test_round_robin_with_fallback_is_refused_for_static_destinations(sandbox, tmp_path):
    """MySQL Router accepts round-robin-with-fallback only for metadata-cache destinations (its meaning:
    round robin over SECONDARY members, falling back to PRIMARY ones); with a static list its valid
    strategies are first-available, next-available and round-robin, so the config is rejected."""
    assert_config_error(tmp_path, [
        "[routing:r]",
        "bind_address = 127.0.0.1",
        f"bind_port = {free_port()}",
        f"destinations = {sandbox.addr(2)},{sandbox.addr(3)}",
        "routing_strategy = round-robin-with-fallback",
    ], 5, "routing_strategy")


def test_all_destinations_down_gives_1429(grouter):
    dead = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    g = grouter({"routing:r": {"destinations": dead, "routing_strategy": "first-available",
                               "connect_timeout": 2}})
    port = g.route_port("r")
    started = time.monotonic()
    code, message = connect_error(port)
    assert time.monotonic() - started < 2 + 1
    assert code == 1429
    assert message == f"Can't connect to remote MySQL server for client connected to '127.0.0.1:{port}'"


def test_all_destination_nodes_stopped_gives_1429(cluster, grouter):
    g = grouter(route(cluster, "round-robin", nodes=(2, 3), connect_timeout=2))
    port = g.route_port("r")
    cluster.stop(2, 3)
    started = time.monotonic()
    code, message = connect_error(port)
    assert time.monotonic() - started < 2 + 1
    assert (code, message) == \
        (1429, f"Can't connect to remote MySQL server for client connected to '127.0.0.1:{port}'")


def test_unresponsive_destination_gives_1429_within_connect_timeout(grouter):
    """A destination whose accept queue is full drops SYNs: the connect can only end by timeout."""
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(0)
        fillers = [socket.socket() for _ in range(3)]
        for f in fillers:
            f.setblocking(False)
            f.connect_ex(blackhole.getsockname())
        try:
            dest = f"127.0.0.1:{blackhole.getsockname()[1]}"
            g = grouter({"routing:r": {"destinations": dest, "connect_timeout": 2,
                                       "routing_strategy": "first-available"}})
            port = g.route_port("r")
            started = time.monotonic()
            code, message = connect_error(port, connect_timeout=30)
            elapsed = time.monotonic() - started
        finally:
            for f in fillers:
                f.close()
    assert code == 1429, message
    assert message == f"Can't connect to remote MySQL server for client connected to '127.0.0.1:{port}'"
    assert 1.5 <= elapsed < 2 + 1.5, f"answered after {elapsed:.1f}s with connect_timeout = 2"


def test_max_connections_gives_1040(sandbox, grouter):
    g = grouter(route(sandbox, "first-available", nodes=(1,), max_connections=2))
    port = g.route_port("r")
    held = [connect(port), connect(port)]
    try:
        code, message = connect_error(port)
        assert code == 1040 and message.startswith("Too many connections"), message
    finally:
        for c in held:
            c.close()
    wait_until(lambda: g.rest(f"{API}/routes/r/status")[1].get("activeConnections") == 0, 10,
               "the held connections to be gone")
    assert server_id(port) == 1, "a slot is free again once a client leaves"


def test_max_connect_errors_blocks_host_with_1129(sandbox, grouter):
    g = grouter(route(sandbox, "first-available", nodes=(1,), max_connect_errors=3))
    port = g.route_port("r")
    for _ in range(3):  # each: connect, then leave before completing the handshake
        s = raw_connect(port)
        s.close()
    def blocked():
        status, body = g.rest(f"{API}/routes/r/blockedHosts")
        assert status == 200, body
        return any(h == "127.0.0.1" or (isinstance(h, dict) and "127.0.0.1" in h.values())
                   for h in body["items"])
    wait_until(blocked, 10, "127.0.0.1 to be listed in blockedHosts")
    code, _ = connect_error(port)
    assert code == 1129
    assert g.rest(f"{API}/routes/r/status")[1]["blockedHosts"] == 1


@pytest.mark.parametrize("strategy", ["first-available", "next-available", "round-robin"])
def test_strategies_accept_a_single_destination(sandbox, grouter, strategy):
    g = grouter(route(sandbox, strategy, nodes=(3,)))
    assert ids(g.route_port("r"), 3) == [3, 3, 3]


def test_stopped_destination_is_used_again_once_it_is_back(cluster, grouter):
    """A stopped destination is quarantined; the prober lets it back in when it accepts again."""
    g = grouter(route(cluster, "round-robin"))
    port = g.route_port("r")
    cluster.stop(2)
    assert 2 not in ids(port)
    status, body = g.rest("/api/20190715/routes/r/health")
    assert (status, body) == (200, {"isAlive": True}), "two of three destinations still serve"
    cluster.start(2)
    wait_until(lambda: 2 in ids(port, 3), 15, "node 2 to be routed to again")
    assert sorted(ids(port, 3)) == [1, 2, 3]


def test_slow_destinations_do_not_count_against_the_client(grouter):
    """client_connect_timeout bounds the client's handshake, not grouter's own connect attempts:
    two silent destinations (2 x connect_timeout > client_connect_timeout) still end in 1429, and
    the client's host is not charged a connect error."""
    holes = []
    fillers = []
    try:
        for _ in range(2):
            hole = socket.socket()
            hole.bind(("127.0.0.1", 0))
            hole.listen(0)
            for _ in range(3):
                f = socket.socket()
                f.setblocking(False)
                f.connect_ex(hole.getsockname())
                fillers.append(f)
            holes.append(hole)
        dest = ",".join(f"127.0.0.1:{h.getsockname()[1]}" for h in holes)
        g = grouter({"routing:r": {"destinations": dest, "connect_timeout": 1,
                                   "client_connect_timeout": 1.5, "max_connect_errors": 1}})
        code, message = connect_error(g.route_port("r"), connect_timeout=30)
    finally:
        for s in fillers + holes:
            s.close()
    assert code == 1429, message
    status, body = g.rest("/api/20190715/routes/r/blockedHosts")
    assert body == {"items": []}, "a slow destination must not block the client's host"
    _, metrics = g.rest("/metrics")
    assert 'grouter_route_client_connect_errors_total{route="r"} 0' in metrics
