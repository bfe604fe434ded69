"""The REST API in MySQL Router's format (/api/20190715/...) and /metrics in Prometheus text format."""
import os
import re

import pytest

from clients import connect, connect_error, raw_connect, scalar
from harness import API, free_port, wait_until

ROUTE_PATHS = ["status", "health", "destinations", "connections", "config", "blockedHosts"]


@pytest.fixture(scope="module")
def held(std_grouter):
    """One open, used connection on route rw while the module's checks run."""
    conn = connect(std_grouter.route_port("rw"))
    assert scalar(conn, "SELECT @@server_id") == 1
    yield conn
    conn.close()


def test_router_status(std_grouter):
    status, body = std_grouter.rest(f"{API}/router/status")
    assert status == 200
    for field in ["processId", "productEdition", "timeStarted", "version", "hostname"]:
        assert field in body, f"{field} missing from {body}"
    assert body["processId"] == std_grouter.pid
    assert body["hostname"] == os.uname().nodename


def test_routes_list(std_grouter):
    status, body = std_grouter.rest(f"{API}/routes")
    assert status == 200
    assert sorted(item["name"] for item in body["items"]) == ["ro", "rw"]


def test_route_status(std_grouter, held):
    status, body = std_grouter.rest(f"{API}/routes/rw/status")
    assert status == 200
    assert body["activeConnections"] == 1
    assert body["totalConnections"] >= 1
    assert body["blockedHosts"] == 0


def test_route_health_alive(std_grouter):
    status, body = std_grouter.rest(f"{API}/routes/rw/health")
    assert (status, body) == (200, {"isAlive": True})


def test_route_health_not_alive_without_reachable_destination(grouter):
    dead = f"127.0.0.1:{free_port()}"
    g = grouter({"routing:dead": {"destinations": dead}})
    assert connect_error(g.route_port("dead"))[0] == 1429
    wait_until(lambda: g.rest(f"{API}/routes/dead/health")[0] == 500, 10,
               "health of a route with no reachable destination to be 500")
    assert g.rest(f"{API}/routes/dead/health") == (500, {"isAlive": False})


def test_route_destinations(std_grouter, sandbox):
    status, body = std_grouter.rest(f"{API}/routes/ro/destinations")
    assert status == 200
    assert body["items"] == [{"address": "127.0.0.1", "port": sandbox.port(2)},
                             {"address": "127.0.0.1", "port": sandbox.port(3)}]


def test_route_connections(std_grouter, sandbox, held):
    status, body = std_grouter.rest(f"{API}/routes/rw/connections")
    assert status == 200
    assert len(body["items"]) == 1
    item = body["items"][0]
    for field in ["bytesFromServer", "bytesToServer", "sourceAddress", "destinationAddress",
                  "timeStarted", "timeConnectedToServer", "timeLastSentToServer",
                  "timeLastReceivedFromServer"]:
        assert field in item, f"{field} missing from {item}"
    assert item["bytesFromServer"] > 0 and item["bytesToServer"] > 0
    assert item["sourceAddress"].startswith("127.0.0.1")
    assert item["destinationAddress"] == sandbox.addr(1)


def test_route_config(std_grouter):
    status, body = std_grouter.rest(f"{API}/routes/rw/config")
    assert status == 200
    assert body["bindPort"] == std_grouter.route_port("rw")
    assert body["routingStrategy"] == "first-available"


def test_route_blocked_hosts_empty(std_grouter):
    assert std_grouter.rest(f"{API}/routes/rw/blockedHosts") == (200, {"items": []})


@pytest.mark.parametrize("path", ROUTE_PATHS)
def test_unknown_route_is_404_with_json_body(std_grouter, path):
    status, body = std_grouter.rest(f"{API}/routes/no_such_route/{path}")
    assert status == 404
    assert isinstance(body, dict) and body, f"want a JSON problem body, got {body!r}"


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$')


def parse_prometheus(text):
    """-> list of (name, {label: value}, float); asserts every line is valid exposition format."""
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            assert not line.startswith("#") or re.match(r"^# (HELP|TYPE) \S+", line) or \
                line.startswith("# "), line
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


def test_metrics_prometheus_per_route(std_grouter, held):
    status, text = std_grouter.rest("/metrics")
    assert status == 200
    samples = parse_prometheus(text)
    rw = [(n, v) for n, labels, v in samples if "rw" in labels.values()]
    assert rw, f"no sample labelled with route rw:\n{text}"

    def find(*words, exclude=()):
        return [(n, v) for n, v in rw
                if all(w in n for w in words) and not any(x in n for x in exclude)]
    active = find("active")
    assert active and active[0][1] == 1, f"active connections of rw: {active}\n{text}"
    total = find("connections", exclude=("active", "error"))
    assert total and max(v for _, v in total) >= 1, f"total connections of rw: {total}\n{text}"
    bytes_ = find("bytes")
    assert len(bytes_) >= 2 and all(v > 0 for _, v in bytes_), f"bytes each way: {bytes_}\n{text}"
    errors = find("error")
    assert errors, f"connect errors of rw: {errors}\n{text}"


def test_metrics_count_client_connect_errors(std_grouter):
    """A client that leaves before finishing its handshake is a connect error of its route (ro)."""
    def ro_errors():
        samples = parse_prometheus(std_grouter.rest("/metrics")[1])
        return sum(v for n, labels, v in samples if "ro" in labels.values() and "error" in n)
    before = ro_errors()
    raw_connect(std_grouter.route_port("ro")).close()
    wait_until(lambda: ro_errors() > before, 10, "a connect error of route ro in /metrics")
