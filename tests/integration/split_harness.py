"""A module's read/write-splitting group (access_mode = auto over a fenced 3-node group, as port
6450 in the demo), shared by the tests of the splitting route: node3 (weight 80) is the primary,
node1 and node2 the secondaries. Routes: rw (wait_for_my_writes), rw_nowait, rw_before
(consistency = BEFORE), rw_tls (as the demo's port 6450: TLS offered to the client, TLS to the
nodes, client_ssl_mode and server_ssl_mode PREFERRED), and the group's primary and secondary
routes.

Import `split_group` into a test module to get one group for that module: (sandbox, grouter)."""
import pytest

from clients import query, scalar
from group_harness import FencedSandbox, group_sections
from harness import Grouter, wait_until
from test_group import all_online, cleanup_group, kWeights
from writer import mysql_connect

kPrimary = 3
kSecondaries = (1, 2)
SPLIT = "metadata-cache://mygroup/?role=PRIMARY_AND_SECONDARY"


def split_route(**extra):
    return {"destinations": SPLIT, "access_mode": "auto", "client_ssl_mode": "DISABLED",
            "server_ssl_mode": "DISABLED", **extra}


def start_split_group(base, routes):
    """A fenced 3-node group with grouter over it and ROUTES (name -> options) besides the
    standard ones, every member ONLINE and test.split created; yields (sandbox, grouter)."""
    sb = FencedSandbox(base / "sandbox")
    g = None
    try:
        sb.create()
        sections = group_sections(sb, weights=kWeights)
        for name, options in (routes(sb) if callable(routes) else routes).items():
            sections[f"routing:{name}"] = options
        g = Grouter(base / "grouter", sections).start()
        all_online(g, sb)
        conn = connect(g)
        query(conn, "CREATE TABLE IF NOT EXISTS split (id INT PRIMARY KEY)")
        query(conn, "CREATE DATABASE IF NOT EXISTS sbtest")
        conn.close()
        wait_replicated(sb, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name "
                            "IN ('test', 'sbtest') AND EXISTS (SELECT 1 FROM information_schema.tables "
                            "WHERE table_name = 'split')", 2)
        yield sb, g
    finally:
        cleanup_group(sb, g)


@pytest.fixture(scope="module")
def split_group(tmp_path_factory):
    yield from start_split_group(tmp_path_factory.mktemp("split"), lambda sb: {
        "rw": split_route(),
        "rw_nowait": split_route(wait_for_my_writes="OFF"),
        "rw_before": split_route(consistency="BEFORE"),
        # Terminated routes to one secondary (no splitting): BEFORE waits on that member.
        "ro_before": {"destinations": "metadata-cache://mygroup/?role=SECONDARY",
                      "client_ssl_mode": "DISABLED", "server_ssl_mode": "DISABLED",
                      "consistency": "BEFORE"},
        "ro_t": {"destinations": "metadata-cache://mygroup/?role=SECONDARY",
                 "client_ssl_mode": "DISABLED", "server_ssl_mode": "DISABLED"},
        "rw_tls": split_route(client_ssl_mode="PREFERRED", server_ssl_mode="PREFERRED",
                              client_ssl_cert=sb.path / "ssl" / "router-cert.pem",
                              client_ssl_key=sb.path / "ssl" / "router-key.pem"),
    })


def connect(g, route="rw", **kw):
    return mysql_connect("127.0.0.1", g.route_port(route), "app", "app_pw", "test", **kw)


def server(conn):
    return scalar(conn, "SELECT @@server_id")


def wait_replicated(sb, sql, expected):
    for i in kSecondaries:
        wait_until(lambda i=i: sb.sql(i, sql).split()[-1] == str(expected), 30,
                   f"node{i} to apply the write")
