"""Helpers for tests (and the failover benchmark) that run grouter's group replication over a fenced
sandbox: the group configuration, the fenced sandbox, and the group REST API.

REST shape (GET /api/v1/group):
  {"group_name", "view_id": "fixed:seq", "single_primary_mode", "primary": member_id | null,
   "members": [{"member_id", "member_host", "member_port", "member_state", "member_role",
                "member_version", "member_weight", "state_reason"}]}
POST /api/v1/group/primary with {"member_id": ...} asks for a switchover (GR's set_as_primary).

Every wait polls a condition with a deadline (harness.wait_until); nothing sleeps to synchronise.
"""
import contextlib
import json
import os
import signal
import urllib.error
import urllib.request

import pytest

from clients import query, scalar
from harness import Sandbox, wait_until
from writer import mysql_connect

GROUP_API = "/api/v1/group"
GROUP_NAME = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
GROUP_ROUTE_PRIMARY = "metadata-cache://mygroup/?role=PRIMARY"
GROUP_ROUTE_SECONDARY = "metadata-cache://mygroup/?role=SECONDARY"
# Beside the session sandbox (base+0..2) and test_sandbox's fenced one (base+40..42).
kFencedBasePort = int(os.environ.get("GROUTER_TEST_BASE_PORT", "3320")) + 60
kNodes = 3


class FencedSandbox(Sandbox):
    """A started sandbox of fresh fenced nodes (`sandbox.sh init N --fenced`): read-only, empty GTID
    sets, no replication; grouter forms the group over it."""

    def __init__(self, path, nodes=kNodes, base_port=kFencedBasePort):
        super().__init__(path, nodes, base_port)

    def create(self):
        self.run("destroy")
        self.run("init", self.nodes, "--base-port", self.base_port, "--fenced")
        self.run("start")

    def ensure_all_running(self):
        """Starts every stopped node (the group, not the sandbox, decides who replicates from whom;
        wait for the members with wait_member_state)."""
        stopped = [i for i in range(1, self.nodes + 1) if i not in self.running()]
        if stopped:
            self.start(*stopped)

    def pid(self, i):
        """The recorded pid of running node i (AssertionError when it is not running)."""
        for line in self.run("status").stdout.splitlines():
            number, _port, pid, state = line.split()
            if int(number) == i and state == "running":
                return int(pid)
        raise AssertionError(f"sandbox node {i} is not running")

    def node_of(self, member):
        """The node number of a member (a REST member dict or 'host:port')."""
        address = member_address(member)
        for i in range(1, self.nodes + 1):
            if self.addr(i) == address:
                return i
        raise AssertionError(f"no sandbox node at {address}")


@contextlib.contextmanager
def fenced_sandbox(path, nodes=kNodes, base_port=kFencedBasePort):
    """A created FencedSandbox, destroyed afterwards whatever happened."""
    sb = FencedSandbox(path, nodes, base_port)
    try:
        sb.create()
        yield sb
    finally:
        sb.destroy()


@pytest.fixture(scope="module")
def fenced_group(tmp_path_factory):
    """A module's fenced 3-node sandbox (import this fixture into the test module)."""
    with fenced_sandbox(tmp_path_factory.mktemp("fenced_group")) as sb:
        yield sb


@contextlib.contextmanager
def stopped_process(pid):
    """SIGSTOP pid (a hung node) for the block; SIGCONT afterwards whatever happened."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGCONT)


def group_sections(sandbox, *, group_name=GROUP_NAME, weights=None, group_options=None,
                   route_options=None):
    """grouter config sections (for harness.Grouter) forming a group over every node of sandbox:
    [group_replication], one [storage_node:nodeI] per node (weights: {i: weight}, default 50), route
    `primary` (role=PRIMARY, first-available) and `secondary` (role=SECONDARY,
    round-robin-with-fallback) on free ports, and the HTTP server. group_options and route_options
    add to or override [group_replication] and both routes."""
    weights = weights or {}
    sections = {"group_replication": {
        "group_name": group_name, "bootstrap_group": "ON",
        "cluster_user": "admin", "cluster_password": "admin_pw",
        "recovery_user": "repl", "recovery_password": "repl_pw",
        **(group_options or {})}}
    for i in range(1, sandbox.nodes + 1):
        sections[f"storage_node:node{i}"] = {"address": sandbox.addr(i),
                                            "member_weight": weights.get(i, 50)}
    sections["routing:primary"] = {"destinations": GROUP_ROUTE_PRIMARY,
                                   "routing_strategy": "first-available", **(route_options or {})}
    sections["routing:secondary"] = {"destinations": GROUP_ROUTE_SECONDARY,
                                     "routing_strategy": "round-robin-with-fallback",
                                     **(route_options or {})}
    sections["http_server"] = {}
    return sections


# ---- REST

def group_status(grouter):
    """GET /api/v1/group as a dict (AssertionError unless HTTP 200 with a JSON object)."""
    status, body = grouter.rest(GROUP_API)
    assert status == 200 and isinstance(body, dict), f"GET {GROUP_API}: {status} {body}"
    return body


def try_group_status(grouter):
    """group_status, or None while grouter does not answer it (for polling)."""
    try:
        return group_status(grouter)
    except (AssertionError, OSError):
        return None


def member_address(member):
    if isinstance(member, dict):
        return f"{member['member_host']}:{member['member_port']}"
    return member


def find_member(status, member):
    """The member of a group status named by member_id, 'host:port' or a member dict; None if it is
    not in the view."""
    wanted = member["member_id"] if isinstance(member, dict) else member
    for m in status.get("members", []):
        if wanted in (m["member_id"], member_address(m)):
            return m
    return None


def primary_member(status):
    """The primary's member dict, or None when the group has no primary."""
    return find_member(status, status["primary"]) if status.get("primary") else None


def wait_group(grouter, predicate, timeout_s, what):
    """Polls the group status until predicate(status) is truthy; returns that value. The timeout's
    AssertionError shows the last answer."""
    last = ["no answer"]

    def check():
        try:
            code, body = grouter.rest(GROUP_API)
        except OSError as err:
            last[0] = repr(err)
            return None
        last[0] = f"{code} {body}"
        return predicate(body) if code == 200 and isinstance(body, dict) else None
    try:
        return wait_until(check, timeout_s, what)
    except AssertionError as err:
        raise AssertionError(f"{err}; last GET {GROUP_API}: {last[0]}") from None


def wait_for_primary(grouter, timeout_s, exclude=()):
    """Waits for an ONLINE PRIMARY that is none of `exclude` (member ids, 'host:port' or dicts);
    returns its member dict."""
    excluded = {m["member_id"] if isinstance(m, dict) else m for m in exclude}

    def ready(status):
        p = primary_member(status)
        if p and p["member_state"] == "ONLINE" and p["member_role"] == "PRIMARY" \
                and not excluded & {p["member_id"], member_address(p)}:
            return p
        return None
    return wait_group(grouter, ready, timeout_s, f"an ONLINE primary other than {sorted(excluded)}")


def wait_member(grouter, member, predicate, timeout_s, what):
    """Polls until predicate(member dict or None when not in the view) is true; returns the dict."""
    def check(status):
        m = find_member(status, member)
        return (m,) if predicate(m) else None
    return wait_group(grouter, check, timeout_s, what)[0]


def wait_member_state(grouter, member, state, timeout_s):
    """Waits until the member (member_id or 'host:port') is in the view with member_state `state`."""
    return wait_member(grouter, member, lambda m: m is not None and m["member_state"] == state,
                       timeout_s, f"member {member_address(member)} to be {state}")


def wait_member_not_online(grouter, member, timeout_s):
    """Waits until the member left the view or is in any state but ONLINE."""
    return wait_member(grouter, member, lambda m: m is None or m["member_state"] != "ONLINE",
                       timeout_s, f"member {member_address(member)} to leave ONLINE")


def post_json(grouter, path, body, timeout_s=60):
    """POST body as JSON to grouter's HTTP server at path -> (HTTP status, parsed JSON or text)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{grouter.http_port}{path}", method="POST",
        data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def switchover(grouter, member_id, timeout_s=60):
    """POST /api/v1/group/primary {"member_id": ...} -> (HTTP status, parsed JSON or text)."""
    return post_json(grouter, f"{GROUP_API}/primary", {"member_id": member_id}, timeout_s)


def force_members(grouter, member_ids, timeout_s=60):
    """POST /api/v1/group/force_members {"members": [...]} -> (HTTP status, parsed JSON or text)."""
    return post_json(grouter, f"{GROUP_API}/force_members", {"members": member_ids}, timeout_s)


# ---- a backlog on a secondary

def give_successor_a_backlog(sandbox, grouter, rows, successor=2, other=1):
    """Holds the applier of node `successor` on a table lock (a session of its own on the node)
    while `rows` autocommit INSERTs into test.backlog are acknowledged through the primary route:
    the node has received them but not applied them; node `other` has applied them. Returns the
    PyMySQL session holding the lock (release_backlog lets the applier go on)."""
    route = lambda: mysql_connect("127.0.0.1", grouter.route_port("primary"), "app", "app_pw", "test")
    conn = route()
    try:
        query(conn, "CREATE TABLE backlog (id INT PRIMARY KEY)")
    finally:
        conn.close()
    wait_until(lambda: sandbox.sql(successor, "SELECT COUNT(*) FROM information_schema.tables WHERE "
                                              "table_schema = 'test' AND table_name = 'backlog'"
                                   ).split()[-1] == "1", 30, f"the table on node{successor}")
    holder = mysql_connect("127.0.0.1", sandbox.port(successor), "admin", "admin_pw", "test")
    query(holder, "LOCK TABLES backlog READ")
    conn = route()
    try:
        for i in range(rows):
            query(conn, f"INSERT INTO backlog VALUES ({i})")
    finally:
        conn.close()
    wait_until(lambda: sandbox.sql(other, "SELECT COUNT(*) FROM test.backlog").split()[-1] == str(rows),
               30, f"node{other} to apply the backlog")
    assert scalar(holder, "SELECT COUNT(*) FROM backlog") == 0, "the applier is not held"
    return holder


def release_backlog(holder):
    query(holder, "UNLOCK TABLES")
    holder.close()
