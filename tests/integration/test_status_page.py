"""The live status page and GET /api/v1/group/events on a real 3-node group (a fenced sandbox that
grouter forms): the events stream read with a plain HTTP client shows the expel and the election
with their reasons when the primary is killed; headless Chromium shows the new primary on the page
within 2 s of the REST API, and its DOM shows the members' states and the timeline. Neither the page,
the stream nor the log shows a password.
"""
import http.client
import json
import os
import time
from pathlib import Path

import pytest

from browser import Chromium
from group_harness import (FencedSandbox, group_sections, member_address, primary_member,
                           wait_for_primary, wait_group)
from harness import Grouter, wait_until

kBase = int(os.environ.get("GROUTER_TEST_BASE_PORT", "3320"))
kDevToolsPort = kBase + 95  # beside the sandboxes (base+0..2, +40..42, +60..62)
kSecrets = ("admin_pw", "repl_pw")  # group_sections' cluster and recovery passwords
kPageDelayBoundS = 2.0


class EventStream:
    """GET /api/v1/group/events over http.client; frames() parses the text/event-stream body."""

    def __init__(self, port, last_event_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", "/api/v1/group/events", headers=headers)
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.read()
        assert self.resp.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        self.transcript = ""

    def close(self):
        self.conn.close()

    def next_frame(self):
        """The next event as {"event", "id", "data"}; comments and retry lines are skipped."""
        frame = {}
        while True:
            line = self.resp.readline().decode()
            assert line, "the events stream ended"
            self.transcript += line
            line = line.rstrip("\n")
            if line == "":
                if "event" in frame:
                    return frame
                frame = {}
                continue
            field, _, value = line.partition(": ")
            if field in ("event", "id"):
                frame[field] = value
            elif field == "data":
                frame["data"] = frame.get("data", "") + value

    def until(self, predicate, timeout_s, what):
        """Frames read until predicate(frame) holds for one (the last of the list)."""
        deadline = time.monotonic() + timeout_s
        frames = []
        while time.monotonic() < deadline:
            frame = self.next_frame()
            frames.append(frame)
            if predicate(frame):
                return frames
        raise AssertionError(f"no {what} within {timeout_s}s; read {[f['event'] for f in frames]}"
                             f" {[f['data'][:200] for f in frames if f['event'] == 'group']}")


def group_event(frame):
    return json.loads(frame["data"]) if frame["event"] == "group" else None


def all_online(g, sb, timeout_s=90):
    addrs = {sb.addr(i) for i in range(1, sb.nodes + 1)}
    return wait_group(g, lambda s: s if s.get("primary") and {
        member_address(m) for m in s["members"] if m["member_state"] == "ONLINE"} == addrs
        else None, timeout_s, "every node ONLINE with a primary")


@pytest.fixture(scope="module")
def group(tmp_path_factory):
    """A fenced 3-node sandbox and a grouter that formed the group over it."""
    path = tmp_path_factory.mktemp("status_page")
    sb = FencedSandbox(path / "sandbox")
    g = None
    try:
        sb.create()
        g = Grouter(path / "grouter", group_sections(sb)).start()
        all_online(g, sb)
        yield sb, g
        # A stream open at shutdown ends, and grouter still exits cleanly (status 0).
        stream = EventStream(g.http_port)
        stream.until(lambda f: f["event"] == "state", 10, "the opening state")
        g.stop()
        with pytest.raises(AssertionError, match="the events stream ended"):
            stream.until(lambda f: False, 10, "the end of the stream")
        stream.close()
    finally:
        if g is not None:
            g.cleanup()
        sb.destroy()


@pytest.fixture
def healthy(group):
    """The group with every node running and ONLINE; (sandbox, grouter, status)."""
    sb, g = group
    sb.ensure_all_running()
    return sb, g, all_online(g, sb)


def assert_no_secret(text, where):
    for secret in kSecrets:
        assert secret not in text, f"a password appears in {where}"


def test_events_stream_shows_the_failover_with_its_reasons(healthy):
    sb, g, status = healthy
    old = primary_member(status)
    stream = EventStream(g.http_port)
    try:
        # The opening: the history of this run, then the state.
        opening = stream.until(lambda f: f["event"] == "state", 10, "opening state")
        history = [group_event(f) for f in opening if f["event"] == "group"]
        assert any(e["kind"] == "elected" and e["member"] == old["name"] for e in history), history
        state = json.loads(opening[-1]["data"])
        assert state["group"]["primary"] == old["member_id"]
        members = {m["name"]: m for m in state["group"]["members"]}
        assert set(members) == {"node1", "node2", "node3"}
        assert all(m["probed"] and m["behind_primary"] >= 0 for m in members.values()), members
        routes = {r["name"]: r for r in state["routes"]}
        assert routes["primary"]["bind_port"] == g.route_port("primary")
        assert [f"{d['address']}:{d['port']}" for d in routes["primary"]["current_destinations"]] \
            == [member_address(old)]
        assert routes["primary"]["active_connections"] == 0

        sb.kill(sb.node_of(old))
        frames = stream.until(lambda f: (e := group_event(f)) is not None and e["kind"] == "elected"
                              and e["member"] not in ("", old["name"]), 30, "an election")
        events = [e for e in map(group_event, frames) if e is not None]
        elected = events[-1]
        assert elected["reason"], elected
        lost = [e for e in events if e["member"] == old["name"]
                and e["kind"] in ("suspected", "expelled")]
        assert lost, f"no suspicion or expel of {old['name']}: {events}"
        assert all(e["reason"] for e in lost), lost
        assert any(e["kind"] == "expelled" for e in lost), lost
        assert int(elected["view_id"].split(":")[1]) > int(status["view_id"].split(":")[1])
        # A state naming the new primary follows, and REST agrees.
        new_state = stream.until(lambda f: f["event"] == "state" and json.loads(
            f["data"])["group"]["primary"] == elected["member_id"], 5, "the new primary's state")
        assert int(new_state[-1]["id"]) >= elected["id"]
        assert wait_for_primary(g, 10, exclude=[old])["member_id"] == elected["member_id"]
        transcript = stream.transcript
    finally:
        stream.close()

    # A client that reconnects with Last-Event-ID gets what followed it, nothing before.
    resumed = EventStream(g.http_port, last_event_id=elected["id"] - 1)
    try:
        first = resumed.until(lambda f: True, 5, "a frame")[0]
        assert first["event"] == "group" and int(first["id"]) == elected["id"], first
    finally:
        resumed.close()
    assert_no_secret(transcript, "the events stream")
    assert_no_secret(g.full_log(), "grouter's log")
    _, metrics = g.rest("/metrics")
    opened = [line for line in metrics.splitlines()
              if line.startswith("grouter_event_streams_opened_total ")]
    assert opened and int(opened[0].split()[1]) >= 2, metrics


def output_dir(tmp_path):
    """build/test-results/ under packaging/run-tests.sh (GROUTER_TEST_RESULTS), else tmp_path."""
    folder = Path(os.environ.get("GROUTER_TEST_RESULTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def dom(browser):
    """What the page shows: the primary's name, each member's state and role, the timeline."""
    return browser.evaluate("""({
      primary: document.getElementById('primary').textContent,
      connection: document.getElementById('connection').textContent,
      members: Object.fromEntries([...document.querySelectorAll('#members tbody tr')].map(
        (tr) => [tr.dataset.member, {state: tr.querySelector('.state').textContent,
                                     role: tr.querySelector('.role').textContent,
                                     lag: tr.querySelector('.lag').textContent}])),
      routes: [...document.querySelectorAll('#routes tbody tr')].map(
        (tr) => [tr.dataset.route, tr.querySelector('.port').textContent]),
      timeline: [...document.querySelectorAll('#timeline li')].map(
        (li) => ({kind: li.dataset.kind, member: li.dataset.member,
                  reason: li.querySelector('.reason').textContent})),
      text: document.body.innerText,
    })""")


def test_page_shows_the_new_primary_within_2s_of_the_api(healthy, tmp_path):
    sb, g, status = healthy
    old = primary_member(status)
    url = f"http://127.0.0.1:{g.http_port}/"
    results = output_dir(tmp_path)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with Chromium(kDevToolsPort, str(profile)) as browser:
        browser.navigate(url)
        before = wait_until(lambda: (d := dom(browser))["primary"] == old["name"] and
                            d["connection"] == "live" and len(d["members"]) == 3 and d,
                            10, "the page to show the group")
        assert all(m["state"] == "ONLINE" for m in before["members"].values()), before["members"]
        assert before["members"][old["name"]]["role"] == "PRIMARY"
        assert sorted(before["routes"]) == sorted(
            [n, f"127.0.0.1:{g.route_port(n)}"] for n in ("primary", "secondary"))
        browser.screenshot(results / "status_page_before.png")

        sb.kill(sb.node_of(old))
        new = wait_for_primary(g, 30, exclude=[old])
        t_api = time.monotonic()
        after = wait_until(lambda: (d := dom(browser))["primary"] == new["name"] and d,
                           kPageDelayBoundS + 5, "the page to show the new primary")
        delay_s = time.monotonic() - t_api
        shot = browser.screenshot(results / "status_page_after_failover.png")
        print(f"status page: new primary {new['name']} shown {delay_s:.2f}s after the API; "
              f"screenshots in {results}")
        assert delay_s <= kPageDelayBoundS, f"the page showed the new primary {delay_s:.2f}s late"

        members = after["members"]
        assert members[new["name"]]["role"] == "PRIMARY"
        assert members[new["name"]]["state"] == "ONLINE"
        assert members[old["name"]]["state"] != "ONLINE", members
        elected = [e for e in after["timeline"] if e["kind"] == "elected"
                   and e["member"] == new["name"]]
        assert elected and elected[0]["reason"], after["timeline"]
        assert any(e["kind"] == "expelled" and e["member"] == old["name"] and e["reason"]
                   for e in after["timeline"]), after["timeline"]
        assert_no_secret(after["text"], "the status page")
        assert shot.stat().st_size > 10_000
