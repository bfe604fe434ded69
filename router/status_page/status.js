// grouter's status page: renders the "state" snapshots and "group" events of
// GET /api/v1/group/events (Server-Sent Events). Text goes in with textContent only.
"use strict";

const kMaxTimeline = 200;
const timelineIds = new Set();

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function badge(text, className) {
  return el("span", text, "badge " + className);
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

function memberName(group, memberId) {
  const m = group.members.find((x) => x.member_id === memberId);
  return m ? m.name || m.member_id : memberId;
}

function renderGroup(group) {
  const tbody = document.querySelector("#members tbody");
  if (!group) {
    setText("group-name", "no group is configured");
    tbody.replaceChildren();
    return;
  }
  setText("group-name", group.group_name || "(not bootstrapped)");
  setText("view-id", group.view_id);
  setText("primary", group.primary ? memberName(group, group.primary) : "none");
  const f = group.failover;
  setText("failover", f ? f.state + (f.reason ? ": " + f.reason : "") : "-");
  const rows = group.members.map((m) => {
    const tr = el("tr");
    tr.dataset.member = m.name;
    tr.appendChild(el("td", m.name, "name"));
    tr.appendChild(el("td", m.member_host + ":" + m.member_port));
    const state = el("td", null, "state");
    state.appendChild(badge(m.member_state, "state-" + m.member_state));
    tr.appendChild(state);
    const role = el("td", null, "role");
    if (m.member_role) role.appendChild(badge(m.member_role, "role-" + m.member_role));
    tr.appendChild(role);
    const lag = el("td", m.probed ? m.behind_primary : "?", "number lag");
    if (m.behind_primary > 0) lag.classList.add("lagging");
    tr.appendChild(lag);
    tr.appendChild(el("td", m.probed ? m.applier_queue : "?", "number queue"));
    tr.appendChild(el("td", m.member_version));
    tr.appendChild(el("td", m.state_reason, "reason"));
    return tr;
  });
  tbody.replaceChildren(...rows);
}

function renderRoutes(routes) {
  const rows = routes.map((r) => {
    const tr = el("tr");
    tr.dataset.route = r.name;
    tr.appendChild(el("td", r.name, "name"));
    tr.appendChild(el("td", r.bind_address + ":" + r.bind_port, "port"));
    tr.appendChild(el("td", r.routing_strategy));
    const current = r.current_destinations.map((d) => d.address + ":" + d.port).join(", ");
    const dest = el("td", current || "(none)", "destinations");
    dest.title = r.destinations;
    tr.appendChild(dest);
    tr.appendChild(el("td", r.active_connections, "number active"));
    tr.appendChild(el("td", r.total_connections, "number"));
    return tr;
  });
  document.querySelector("#routes tbody").replaceChildren(...rows);
}

function renderState(state) {
  const r = state.router;
  setText("router", "grouter " + r.version + " on " + r.hostname + ", started " + r.time_started);
  renderGroup(state.group);
  renderRoutes(state.routes);
  setText("updated", state.time);
}

function addEvent(event) {
  if (timelineIds.has(event.id)) return;
  timelineIds.add(event.id);
  const li = el("li");
  li.dataset.id = event.id;
  li.dataset.kind = event.kind;
  li.dataset.member = event.member;
  const time = el("time", event.time.replace("T", " ").replace(/\.\d+Z$/, "Z"));
  time.dateTime = event.time;
  li.appendChild(time);
  li.appendChild(el("span", event.kind, "kind"));
  if (event.member) li.appendChild(el("span", event.member, "member"));
  li.appendChild(el("span", event.reason || event.text, "reason"));
  li.appendChild(el("span", "view " + event.view_id, "view"));
  const list = document.getElementById("timeline");
  list.prepend(li);  // newest first
  while (list.children.length > kMaxTimeline) {
    timelineIds.delete(Number(list.lastElementChild.dataset.id));
    list.lastElementChild.remove();
  }
}

function setConnection(text) {
  const node = document.getElementById("connection");
  node.textContent = text;
  node.className = "connection-" + text;
}

function connect() {
  const source = new EventSource("/api/v1/group/events");
  source.addEventListener("open", () => setConnection("live"));
  source.addEventListener("error", () => setConnection("reconnecting"));
  source.addEventListener("state", (e) => renderState(JSON.parse(e.data)));
  source.addEventListener("group", (e) => addEvent(JSON.parse(e.data)));
}

connect();
