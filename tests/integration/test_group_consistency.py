"""GR's group consistency levels on failover, over real MariaDB nodes, with PyMySQL clients.

The successor (node2, weight 50) is given a backlog: its applier is held on a table lock (taken by
a session of the test on node2 itself), so it has received, but not applied, writes that the
primary acknowledged. Then the primary is killed.

- BEFORE_ON_PRIMARY_FAILOVER (the default): the group has no primary and the primary route has no
  destination until node2 has applied its backlog; a client connecting meanwhile is held, and once
  the lock is released it reaches node2 and sees every acknowledged write.
- EVENTUAL: node2 is routed to at once: a read on it runs before its backlog is applied (stale),
  and a write is refused with 1290 (read_only) until it is writable.

A client that finds no primary at all waits destination_wait_timeout, then gets 1429."""
import threading
import time

import pymysql
import pytest

from clients import query, scalar
from group_harness import (find_member, give_successor_a_backlog, group_status, release_backlog,
                           wait_for_primary, wait_group)
from harness import wait_until
from test_group import cleanup_group, node_server_id, start_group, start_group_without_majority
from writer import mysql_connect

kBacklog = 40


def connect_primary_route(g, **kw):
    return mysql_connect("127.0.0.1", g.route_port("primary"), "app", "app_pw", "test", **kw)


def route_status(g, route="primary"):
    code, body = g.rest(f"/api/20190715/routes/{route}/status")
    assert code == 200, body
    return body


def test_before_on_primary_failover_holds_clients_until_the_backlog_is_applied(tmp_path):
    sb, g = start_group(tmp_path)  # consistency defaults to BEFORE_ON_PRIMARY_FAILOVER
    holder = None
    try:
        holder = give_successor_a_backlog(sb, g, kBacklog)
        sb.kill(3)
        wait_until(lambda: "failover: node2 (" in g.log(), 30, "grouter to fail over to node2")
        # node2 is elected but still applying: no primary, nobody to route to.
        status = group_status(g)
        assert status["primary"] is None, status
        code, body = g.rest("/api/20190715/routes/primary/destinations")
        assert code == 200 and body["items"] == [], body
        result = {}

        def client():
            try:
                conn = connect_primary_route(g, io_timeout=30)
                result["connected_at"] = time.monotonic()
                result["server_id"] = scalar(conn, "SELECT @@server_id")
                result["rows"] = scalar(conn, "SELECT COUNT(*) FROM backlog")
                query(conn, "INSERT INTO backlog VALUES (1000)")
                conn.close()
            except pymysql.MySQLError as err:
                result["error"] = err
        active_before = route_status(g)["activeConnections"]
        t = threading.Thread(target=client)
        t.start()
        wait_until(lambda: route_status(g)["activeConnections"] > active_before, 10,
                   "the client to be held by the primary route")
        assert t.is_alive() and "connected_at" not in result
        assert group_status(g)["primary"] is None
        released_at = time.monotonic()
        release_backlog(holder)
        holder = None
        t.join(30)
        assert not t.is_alive()
        assert "error" not in result, result
        assert result["connected_at"] > released_at
        assert result["server_id"] == node_server_id(sb, 2)
        assert result["rows"] == kBacklog, "the held client sees every acknowledged write"
        assert wait_for_primary(g, 10)["member_port"] == sb.port(2)
    finally:
        if holder is not None:
            holder.close()
        cleanup_group(sb, g)


def test_eventual_routes_to_the_new_primary_before_its_backlog_is_applied(tmp_path):
    sb, g = start_group(tmp_path, {"consistency": "EVENTUAL"})
    holder = None
    try:
        holder = give_successor_a_backlog(sb, g, kBacklog)
        sb.kill(3)
        # node2 is published as the primary while its applier is still held.
        status = wait_group(g, lambda s: s if s.get("primary") and
                            (find_member(s, s["primary"]) or {}).get("member_port") == sb.port(2) else None,
                            30, "node2 published as the primary")
        assert "EVENTUAL: published before catch-up" in g.log()
        conn = connect_primary_route(g)
        try:
            assert scalar(conn, "SELECT @@server_id") == node_server_id(sb, 2)
            assert scalar(conn, "SELECT COUNT(*) FROM backlog") == 0, "a stale read, at once"
            with pytest.raises(pymysql.MySQLError) as refused:
                query(conn, "INSERT INTO backlog VALUES (1000)")
            assert refused.value.args[0] == 1290, refused.value
        finally:
            conn.close()
        assert status["primary"] == group_status(g)["primary"]
        release_backlog(holder)
        holder = None

        def writable():
            conn = connect_primary_route(g)
            try:
                query(conn, "INSERT INTO backlog VALUES (1000)")
                return scalar(conn, "SELECT COUNT(*) FROM backlog")
            except pymysql.MySQLError as err:
                assert err.args[0] == 1290, err  # read_only until promoted
                return None
            finally:
                conn.close()
        assert wait_until(writable, 30, "node2 to become writable") == kBacklog + 1
    finally:
        if holder is not None:
            holder.close()
        cleanup_group(sb, g)


def test_without_a_primary_clients_wait_destination_wait_timeout_then_get_1429(tmp_path):
    sb, g = start_group_without_majority(tmp_path, route_options={"destination_wait_timeout": 2})
    try:
        started = time.monotonic()
        with pytest.raises(pymysql.MySQLError) as refused:
            connect_primary_route(g, io_timeout=30)
        waited = time.monotonic() - started
        assert refused.value.args[0] == 1429, refused.value
        assert "Can't connect to remote MySQL server" in str(refused.value)
        assert 2 <= waited < 10, f"refused after {waited:.2f}s (destination_wait_timeout = 2)"
        assert route_status(g)["activeConnections"] == 0
    finally:
        cleanup_group(sb, g)
