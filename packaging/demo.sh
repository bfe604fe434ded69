#!/usr/bin/env bash
# The README's demo: installs the packages, builds grouter, starts a 3-node MariaDB sandbox replicating
# from node 1 and grouter in front of it (read-write route 6446, read-only route 6447, REST on 8443),
# prints how to connect, and on Ctrl-C (SIGINT/SIGTERM) stops everything it started.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
demo_dir="$root/.sandbox/demo"
sandbox=("$root/packaging/sandbox.sh" --dir "$demo_dir")
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

bash "$root/packaging/install-deps.sh"
[ -f build/build.ninja ] || meson setup build
ninja -C build

# A sandbox left by an interrupted run is stopped (by its recorded pids) and made anew.
"${sandbox[@]}" destroy
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM
"${sandbox[@]}" init 3 --base-port 3310
"${sandbox[@]}" start
"${sandbox[@]}" replicate

mkdir -p "$demo_dir/run"
cat >"$demo_dir/grouter.conf" <<EOF
[DEFAULT]
runtime_folder = $demo_dir/run

[logger]
level = INFO

[routing:primary]
bind_address = 127.0.0.1
bind_port = 6446
destinations = 127.0.0.1:3310
routing_strategy = first-available

[routing:secondary]
bind_address = 127.0.0.1
bind_port = 6447
destinations = 127.0.0.1:3311,127.0.0.1:3312
routing_strategy = round-robin

[http_server]
bind_address = 127.0.0.1
port = 8443
EOF

build/router/grouter --config "$demo_dir/grouter.conf" &
grouter_pid=$!
deadline=$((SECONDS + 20))
until [ "$(ss -Hltn '( sport = :6446 or sport = :6447 or sport = :8443 )' | wc -l)" -ge 3 ]; do
  kill -0 "$grouter_pid" 2>/dev/null || { echo "demo: grouter exited during start-up" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "demo: grouter does not listen on 6446/6447/8443" >&2; exit 1; }
  sleep 0.1
done

cat <<EOF

grouter is running (pid $grouter_pid), config $demo_dir/grouter.conf. Users: app/app_pw, admin/admin_pw.
  read-write:  mariadb -h 127.0.0.1 -P 6446 -u app -papp_pw test
  read-only:   mariadb -h 127.0.0.1 -P 6447 -u app -papp_pw -e 'SELECT @@server_id'
  REST:        curl -s http://127.0.0.1:8443/api/20190715/routes
               curl -s http://127.0.0.1:8443/api/20190715/routes/primary/status
               curl -s http://127.0.0.1:8443/metrics
  nodes:       packaging/sandbox.sh --dir $demo_dir status
Press Ctrl-C to stop grouter and the sandbox.
EOF

# Returns when grouter exits by itself or when a signal runs cleanup.
wait "$grouter_pid" || true
echo "demo: grouter exited"
