#!/usr/bin/env bash
# The README's demo: installs the packages, builds grouter, starts three fresh fenced MariaDB nodes
# (127.0.0.1:3310-3312) and a grouter that forms a group over them (read-write route 6446 to the
# primary, read-only route 6447 over the secondaries, REST on 8443), waits until the group has a
# primary, prints how to connect, watch the group and try a failover, and on Ctrl-C (SIGINT/SIGTERM)
# stops everything it started.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
demo_dir="$root/.sandbox/demo"
sandbox=("$root/packaging/sandbox.sh" --dir "$demo_dir")
sandbox_cmd="packaging/sandbox.sh --dir $demo_dir"
group_url="http://127.0.0.1:8443/api/v1/group"
grouter_pid=""

cleanup() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  if [ -n "$grouter_pid" ] && kill -0 "$grouter_pid" 2>/dev/null; then
    kill -TERM "$grouter_pid"
    wait "$grouter_pid" 2>/dev/null || true
  fi
  "${sandbox[@]}" destroy || true
}

# GET /api/v1/group, summarized: "primary HOST:PORT" (or "primary none") and one line per member.
group_summary() {
  curl -sf --max-time 2 "$group_url" | /usr/bin/python3 -c '
import json, sys
g = json.load(sys.stdin)
primary = [m for m in g["members"] if m["member_id"] == g["primary"]]
print("view %s, primary %s" % (g["view_id"],
      "%s:%s" % (primary[0]["member_host"], primary[0]["member_port"]) if primary else "none"))
for m in g["members"]:
    print("  %s:%s  %-11s %-9s weight %3d  %s" % (m["member_host"], m["member_port"],
          m["member_state"], m["member_role"] or "-", m["member_weight"], m["state_reason"]))
'
}

# The port of the primary, and whether every member is ONLINE ("PORT ALL_ONLINE"); fails while
# grouter does not answer or the group has no primary.
primary_port() {
  curl -sf --max-time 2 "$group_url" | /usr/bin/python3 -c '
import json, sys
g = json.load(sys.stdin)
p = [m for m in g["members"] if m["member_id"] == g["primary"] and m["member_state"] == "ONLINE"]
if not p:
    sys.exit(1)
print(p[0]["member_port"], all(m["member_state"] == "ONLINE" for m in g["members"]))
'
}

bash "$root/packaging/install-deps.sh"
[ -f build/build.ninja ] || meson setup build
ninja -C build router/grouter

# A sandbox left by an interrupted run is stopped (by its recorded pids) and made anew; the group's
# state (runtime_folder) lives in the same directory, so the group is formed anew too.
"${sandbox[@]}" destroy
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM
# Fenced: read_only=ON and init_rpl_role=SLAVE in each node's option file, no replication yet.
"${sandbox[@]}" init 3 --base-port 3310 --fenced
"${sandbox[@]}" start

mkdir -p "$demo_dir/run"
cat >"$demo_dir/grouter.conf" <<EOF
[DEFAULT]
runtime_folder = $demo_dir/run

[logger]
level = INFO

[group_replication]
group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa
bootstrap_group = ON
cluster_user = admin
cluster_password = admin_pw
recovery_user = repl
recovery_password = repl_pw

# GR's rule elects the highest member_weight (all run the same version): node1 first; when it
# fails, node2 (50) before node3 (30).
[storage_node:node1]
address = 127.0.0.1:3310
member_weight = 80

[storage_node:node2]
address = 127.0.0.1:3311
member_weight = 50

[storage_node:node3]
address = 127.0.0.1:3312
member_weight = 30

[routing:primary]
bind_address = 127.0.0.1
bind_port = 6446
destinations = metadata-cache://mygroup/?role=PRIMARY
routing_strategy = first-available

[routing:secondary]
bind_address = 127.0.0.1
bind_port = 6447
destinations = metadata-cache://mygroup/?role=SECONDARY
routing_strategy = round-robin-with-fallback

# Terminated by grouter: TLS from the client to grouter and from grouter to the primary.
[routing:primary_tls]
bind_address = 127.0.0.1
bind_port = 6448
destinations = metadata-cache://mygroup/?role=PRIMARY
client_ssl_mode = REQUIRED
client_ssl_cert = $demo_dir/ssl/router-cert.pem
client_ssl_key = $demo_dir/ssl/router-key.pem
server_ssl_mode = REQUIRED
server_ssl_verify = VERIFY_IDENTITY
server_ssl_ca = $demo_dir/ssl/ca.pem

# One port for everything: reads on the secondaries, writes and transactions on the primary
# (MySQL Router's access_mode = auto), read-your-writes on by default.
[routing:rw_split]
bind_address = 127.0.0.1
bind_port = 6450
destinations = metadata-cache://mygroup/?role=PRIMARY_AND_SECONDARY
access_mode = auto
client_ssl_mode = PREFERRED
client_ssl_cert = $demo_dir/ssl/router-cert.pem
client_ssl_key = $demo_dir/ssl/router-key.pem
server_ssl_mode = PREFERRED

# Group Replication's own SQL (the mariadb CLI, PyMySQL, GUI tools), as cluster_user.
[admin]
bind_address = 127.0.0.1
bind_port = 6449

[http_server]
bind_address = 127.0.0.1
port = 8443
EOF

# grouter logs to this terminal (stderr): every view change and step it takes shows up here.
build/router/grouter --config "$demo_dir/grouter.conf" &
grouter_pid=$!

# Forming the group: elect, make the primary writable, bring the secondaries in through recovery.
deadline=$((SECONDS + 60))
state=""
until state="$(primary_port 2>/dev/null)" && [ "${state#* }" = True ]; do
  kill -0 "$grouter_pid" 2>/dev/null || { echo "demo: grouter exited during start-up" >&2; exit 1; }
  if [ "$SECONDS" -ge "$deadline" ]; then
    [ -n "$state" ] && break  # a primary but not every member ONLINE: show what there is
    echo "demo: the group has no primary after 60 s" >&2
    group_summary >&2 || true
    exit 1
  fi
  sleep 0.2
done
port="${state%% *}"
node=$((port - 3309))

cat <<EOF

grouter is running (pid $grouter_pid), config $demo_dir/grouter.conf.
The group:
$(group_summary)

Connect (users app/app_pw, admin/admin_pw):
  read-write:  mariadb -h 127.0.0.1 -P 6446 -u app -papp_pw test        (the primary)
  read-only:   mariadb -h 127.0.0.1 -P 6447 -u app -papp_pw -e 'SELECT @@port'   (the secondaries in turn)
  read/write splitting on one port (reads on a secondary, writes on the primary):
               mariadb -h 127.0.0.1 -P 6450 -u app -papp_pw test \\
                 -e "SELECT @@port; SELECT @@port FOR UPDATE"
  the group, in Group Replication's own SQL (admin port; HELP grouter lists the statements):
               mariadb -h 127.0.0.1 -P 6449 -u admin -padmin_pw \\
                 -e "SELECT * FROM performance_schema.replication_group_members"
  TLS, terminated by grouter (TLS to the primary too):
               mariadb -h 127.0.0.1 -P 6448 -u app -papp_pw --ssl --ssl-ca=$demo_dir/ssl/ca.pem \\
                 -e "SHOW STATUS LIKE 'Ssl_cipher'"

Watch the group (members, states, roles, view id):
  curl -s $group_url | python3 -m json.tool
  watch -n 0.5 "curl -s $group_url | python3 -m json.tool"
  curl -s http://127.0.0.1:8443/api/20190715/routes/primary/destinations
  curl -s http://127.0.0.1:8443/metrics
  curl -N $group_url/events                  # each decision with its reason, as it is made
  the status page, live, in a browser: http://127.0.0.1:8443/

Watch a failover (in another terminal, with the watch above running):
  $sandbox_cmd kill $node      # SIGKILL the primary (node$node, port $port)
      within about a second it is expelled (ERROR, the view id's number +1) and the ONLINE member
      with the highest member_weight becomes PRIMARY (node2 when node1 fails); 6446 follows it
  $sandbox_cmd start $node     # it rejoins as a SECONDARY: RECOVERING, then ONLINE
  Switch over by hand: curl -s -X POST -d '{"member_id": "ID"}' $group_url/primary
  Nodes: $sandbox_cmd status

Press Ctrl-C to stop grouter and the nodes.
EOF

# Returns when grouter exits by itself or when a signal runs cleanup.
wait "$grouter_pid" || true
echo "demo: grouter exited"
