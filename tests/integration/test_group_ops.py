"""The operator's statements on a real group (GroupService's stop_member, start_member, set_option,
bootstrap_group and variables, driven over their REST exposure): a stopped secondary leaves the
view and the routes, and comes back through distributed recovery when started; stopping the primary
switches over first without losing an acknowledged write; member_expel_timeout set at run time
changes how soon a hung member is expelled, and it and a stopped member survive a grouter restart
(the group log wins over the configuration file); with start_on_boot=OFF grouter waits for the
operator's bootstrap, and the other members for their start.

Weights 30/50/80: node3 is the first primary, node2 its successor."""
import json
import os
import time
import urllib.error
import urllib.request

import pytest

from clients import query
from group_harness import (FencedSandbox, find_member, group_sections, group_status, post_json,
                           stopped_process, wait_for_primary, wait_group, wait_member,
                           wait_member_state)
from harness import Grouter, wait_until
from split_harness import split_route
from writer import RecordingWriter

kBase = int(os.environ.get("GROUTER_TEST_BASE_PORT", "3320"))
kWeights = {1: 30, 2: 50, 3: 80}


def ports(first):
    """Route and HTTP ports for one grouter, in this suite's range (base+100 onwards)."""
    return {"primary": kBase + first, "secondary": kBase + first + 1, "http": kBase + first + 2,
            "rw": kBase + first + 3}


def sections_for(sb, first, group_options=None):
    s = group_sections(sb, weights=kWeights, group_options=group_options)
    p = ports(first)
    s["routing:primary"]["bind_port"] = p["primary"]
    s["routing:secondary"]["bind_port"] = p["secondary"]
    s["http_server"] = {"port": p["http"]}
    s["routing:rw"] = split_route(bind_port=p["rw"])  # sessions at the group's consistency
    return s


def call(g, method, path, body=None, timeout_s=60):
    """METHOD path with a JSON body -> (HTTP status, parsed JSON)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{g.http_port}{path}", method=method,
                                     data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def operate(g, member, action):
    return call(g, "POST", f"/api/v1/group/members/{member}/{action}")


def set_option(g, option, value, member=None):
    body = {"option": option, "value": value}
    if member:
        body["member_id"] = member
    return call(g, "POST", "/api/v1/group/options", body)


def variables(g, member=None):
    path = f"/api/v1/group/members/{member}/variables" if member else "/api/v1/group/variables"
    status, body = call(g, "GET", path)
    assert status == 200, body
    return body["variables"]


def all_online(g, sb, timeout_s=90):
    addrs = [sb.addr(i) for i in range(1, sb.nodes + 1)]
    return wait_group(g, lambda s: s if s.get("primary") and all(
        (m := find_member(s, a)) and m["member_state"] == "ONLINE" for a in addrs) else None,
        timeout_s, "every node ONLINE with a primary")


def server_ids_through(port, connections=9):
    ids = set()
    for _ in range(connections):
        conn = RecordingWriter("127.0.0.1", port, "app", "app_pw", "test", "x").connect()
        try:
            ids.add(int(query(conn, "SELECT @@server_id")[0][0]))
        finally:
            conn.close()
    return ids


def node_server_id(sb, i):
    return int(sb.sql(i, "SELECT @@server_id").split()[-1])


def receiver_running(sb, i):
    out = sb.sql(i, "SHOW SLAVE STATUS\\G")
    return "Slave_IO_Running: Yes" in out or "Slave_IO_Running: Connecting" in out


def probes_answered(g):
    status, body = call(g, "GET", "/api/20190715/metadata/mygroup/status")
    assert status == 200, body
    return body["refreshSucceeded"]


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("group_ops")
    sb = FencedSandbox(tmp / "sandbox", base_port=kBase + 60)
    g = None
    try:
        sb.create()
        g = Grouter(tmp / "grouter", sections_for(sb, 100)).start()
        all_online(g, sb)
        yield sb, g
    finally:
        if g is not None:
            g.cleanup()
        sb.destroy()


def test_refusals_name_their_cause_and_change_nothing(group):
    sb, g = group
    before = group_status(g)
    cases = [
        (set_option(g, "member_expel_timeout", "3601"), 400, "the range is 0 to 3600 seconds"),
        (set_option(g, "member_wieght", "5"), 400, "unknown variable 'group_replication_member_wieght'"),
        (set_option(g, "group_name", "x"), 400, "cannot be changed at run time"),
        (set_option(g, "consistency", "STRONG"), 400, "expected one of EVENTUAL"),
        (set_option(g, "member_weight", "70"), 400, "is per member: name the member"),
        (set_option(g, "member_weight", "70", "node9"), 400, "no member 'node9'"),
        (operate(g, "node9", "stop"), 400, "no member 'node9'"),
        (operate(g, "node1", "start"), 400, "member node1 is already in the group (ONLINE)"),
        (operate(g, "node1", "bootstrap"), 400, "the group is already running"),
    ]
    for (status, body), want_status, want_text in cases:
        assert status == want_status, body
        assert want_text in body["error"], body
    after = group_status(g)
    assert after["view_id"] == before["view_id"] and after["members"] == before["members"]
    assert variables(g)["group_replication_member_expel_timeout"] == "5"


def test_a_stopped_secondary_leaves_the_view_and_the_routes_then_recovers(group):
    sb, g = group
    seq = int(group_status(g)["view_id"].split(":")[1])
    status, body = operate(g, "node1", "stop")
    assert status == 200 and "left the group" in body["message"], body
    m = find_member(group_status(g), sb.addr(1))
    assert m["member_state"] == "OFFLINE" and m["member_role"] == "", m
    assert int(group_status(g)["view_id"].split(":")[1]) == seq + 1
    # Not routed; its receiver stopped; stopping it again is a no-op.
    wait_until(lambda: not receiver_running(sb, 1), 30, "node1's receiver to stop")
    assert node_server_id(sb, 1) not in server_ids_through(g.route_port("secondary"))
    assert operate(g, "node1", "stop")[1]["message"] == "member node1 is already stopped (OFFLINE)"
    # It stays out while the probes go on.
    seen = probes_answered(g)
    wait_until(lambda: probes_answered(g) >= seen + 9, 30, "three more probe rounds")
    assert find_member(group_status(g), sb.addr(1))["member_state"] == "OFFLINE"

    status, body = operate(g, "node1", "start")
    assert status == 200 and "joins through distributed recovery" in body["message"], body
    wait_member_state(g, sb.addr(1), "ONLINE", 60)
    wait_until(lambda: node_server_id(sb, 1) in server_ids_through(g.route_port("secondary")), 30,
               "node1 routed again")


def test_stopping_the_primary_switches_over_first_without_losing_a_write(group):
    sb, g = group
    assert group_status(g)["primary"] == find_member(group_status(g), sb.addr(3))["member_id"]
    writer = RecordingWriter("127.0.0.1", g.route_port("primary"), "app", "app_pw", "test",
                             "acked", threads=4, io_timeout=20)
    writer.start()
    try:
        writer.wait_acknowledged(200, 30)
        status, body = operate(g, "node3", "stop")
        assert status == 200 and "node3 left the group" in body["message"], body
        primary = wait_for_primary(g, 30, exclude=[sb.addr(3)])
        assert primary["member_port"] == sb.port(2)  # GR's rule: weight 50 over 30
        assert find_member(group_status(g), sb.addr(3))["member_state"] == "OFFLINE"
        writer.wait_acknowledged(writer.counters()["acknowledged"] + 200, 30)
    finally:
        writer.stop()
    assert writer.counters()["acknowledged"] > 400
    for i in (2, 1):
        last = []

        def present(i=i):
            last[:] = writer.verify_all_present(host="127.0.0.1", port=sb.port(i))
            return not last
        wait_until(present, 60, f"node{i} to hold every acknowledged write")
    # Refused now: stopping node1 would leave node2 without a secondary to acknowledge.
    status, body = operate(g, "node1", "stop")
    assert status == 503 and "without an ONLINE secondary to acknowledge" in body["error"], body
    assert operate(g, "node3", "start")[0] == 200
    all_online(g, sb)


def test_member_expel_timeout_takes_effect_and_survives_a_restart(group):
    sb, g = group
    status, body = set_option(g, "member_expel_timeout", "0")
    assert status == 200 and body["message"] == "group_replication_member_expel_timeout is 0", body
    assert set_option(g, "member_weight", "70", "node1")[0] == 200
    assert variables(g)["group_replication_member_expel_timeout"] == "0"
    assert variables(g, "node1")["group_replication_member_weight"] == "70"
    # A hung secondary: suspected after 3 s of silence, expelled at once (the default 5 s would
    # make it at least 8 s).
    node = 1
    with stopped_process(sb.pid(node)):
        hung = time.monotonic()
        wait_member(g, sb.addr(node), lambda m: m["member_state"] == "ERROR", 30,
                    "node1 expelled")
        expelled_s = time.monotonic() - hung
    assert expelled_s < 7.5, f"expelled after {expelled_s:.1f} s"
    wait_member_state(g, sb.addr(node), "ONLINE", 60)

    # Stop node1, restart grouter: the options and the stop are kept.
    assert operate(g, "node1", "stop")[0] == 200
    g.stop()
    g.start()
    wait_until(lambda: "group_replication_member_expel_timeout is 0 as decided in the group log"
               in g.full_log(), 30, "the override line")
    assert "member_weight of node1 is 70 as decided in the group log" in g.full_log()
    assert variables(g)["group_replication_member_expel_timeout"] == "0"
    assert variables(g, "node1")["group_replication_member_weight"] == "70"
    wait_for_primary(g, 30)
    seen = probes_answered(g)
    wait_until(lambda: probes_answered(g) >= seen + 9, 30, "three probe rounds after the restart")
    assert find_member(group_status(g), sb.addr(1))["member_state"] == "OFFLINE"
    assert operate(g, "node1", "start")[0] == 200
    all_online(g, sb)


def session_consistency(g):
    conn = RecordingWriter("127.0.0.1", g.route_port("rw"), "app", "app_pw", "test", "x").connect()
    try:
        return conn, query(conn, "SELECT @@group_replication_consistency")[0][0]
    except BaseException:
        conn.close()
        raise


def test_consistency_set_at_run_time_reaches_new_sessions_and_survives_a_restart(group):
    sb, g = group
    old, level = session_consistency(g)
    try:
        assert level == "BEFORE_ON_PRIMARY_FAILOVER"
        assert set_option(g, "consistency", "after")[1]["message"] == \
            "group_replication_consistency is AFTER"
        new, level = session_consistency(g)
        new.close()
        assert level == "AFTER"  # new sessions start at the group's new level
        # A session keeps the level it started with, as with GR's global variable.
        assert query(old, "SELECT @@group_replication_consistency")[0][0] == \
            "BEFORE_ON_PRIMARY_FAILOVER"
    finally:
        old.close()
    g.stop()
    g.start()
    wait_for_primary(g, 30)
    conn, level = session_consistency(g)
    conn.close()
    assert level == "AFTER"
    assert variables(g)["group_replication_consistency"] == "AFTER"
    assert set_option(g, "consistency", "BEFORE_ON_PRIMARY_FAILOVER")[0] == 200


def test_start_on_boot_off_waits_for_the_operators_bootstrap(group, tmp_path):
    sb, g = group
    primary = wait_for_primary(g, 30)
    first = sb.node_of(primary)
    g.stop()
    # A new grouter over the same nodes with no group log: it waits for the bootstrap.
    fresh = Grouter(tmp_path / "fresh", sections_for(sb, 110, {"start_on_boot": "OFF"})).start()
    try:
        wait_until(lambda: "start_on_boot=OFF: waiting for the operator's bootstrap" in fresh.log(),
                   30, "grouter to wait for the bootstrap")
        assert group_status(fresh)["group_name"] == ""
        status, body = operate(fresh, "node1", "start")
        assert status == 503 and "not bootstrapped" in body["error"], body
        # A node that lacks what another executed cannot bootstrap it.
        behind = next(i for i in (1, 2, 3) if i != first)
        sb.sql(behind, "STOP SLAVE")
        sb.sql(first, "INSERT INTO test.acked (id, writer, payload) VALUES (999999999, 0, 'x')")
        seen = probes_answered(fresh)
        wait_until(lambda: probes_answered(fresh) >= seen + 6, 30, "two probe rounds")
        status, body = operate(fresh, f"node{behind}", "bootstrap")
        assert status == 400, body
        assert f"which node{behind}" in body["error"] and "most advanced" in body["error"], body
        assert group_status(fresh)["group_name"] == ""
        status, body = operate(fresh, f"node{first}", "bootstrap")
        assert status == 200 and f"with node{first} as primary" in body["message"], body
        others = [i for i in (1, 2, 3) if i != first]
        s = group_status(fresh)
        assert [find_member(s, sb.addr(i))["member_state"] for i in others] == ["OFFLINE", "OFFLINE"]
        for i in others:
            assert operate(fresh, f"node{i}", "start")[0] == 200
        all_online(fresh, sb)
    finally:
        fresh.cleanup()
