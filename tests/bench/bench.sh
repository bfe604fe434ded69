#!/usr/bin/env bash
# grouter's speed benchmark: prints numbers, is not a test. On its own 3-node sandbox (base port 3340)
# it runs sysbench oltp_point_select and oltp_read_only at 1, 8 and 64 threads directly against the
# primary, through grouter's read-write route and through haproxy in TCP mode, and prints
# transactions/s, p95 latency and the ratios to direct; then grouter's RSS with 1000 idle clients.
# Everything it starts is stopped by pid on exit.
#
# Each cell runs BENCH_ROUNDS times, the three targets interleaved in a rotating order, and the table
# (tests/bench/summarize.py) shows medians and the trx/s spread, because on 2 shared cores one 10 s
# run varies by 20 % or more.
#
# Environment: BENCH_ROUNDS (3), BENCH_TIME (s per run, 10), BENCH_THREADS ("1 8 64"), BENCH_WORKLOADS
# ("oltp_point_select oltp_read_only"), BENCH_TABLES (4), BENCH_TABLE_SIZE (10000),
# BENCH_IDLE_CONNECTIONS (1000), GROUTER_BIN (build/router/grouter), BENCH_BASE_PORT (3340).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench_time="${BENCH_TIME:-10}"
rounds="${BENCH_ROUNDS:-3}"
threads_list="${BENCH_THREADS:-1 8 64}"
workloads="${BENCH_WORKLOADS:-oltp_point_select oltp_read_only}"
tables="${BENCH_TABLES:-4}"
table_size="${BENCH_TABLE_SIZE:-10000}"
idle_connections="${BENCH_IDLE_CONNECTIONS:-1000}"
grouter_bin="${GROUTER_BIN:-$root/build/router/grouter}"
base_port="${BENCH_BASE_PORT:-3340}"
python=/usr/bin/python3

[ -x "$grouter_bin" ] || { echo "bench: $grouter_bin is not built (ninja -C build)" >&2; exit 1; }
work="$(mktemp -d /tmp/grouter-bench.XXXXXX)"
sandbox=("$root/packaging/sandbox.sh" --dir "$work/sandbox")
grouter_pid=""
haproxy_pid=""

cleanup() {
  local pid
  for pid in "$grouter_pid" "$haproxy_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  "${sandbox[@]}" destroy >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() {  # wait_listening PORT PID: polls /proc/net/tcp so no probe connection is made
  local port_hex deadline=$((SECONDS + 20))
  port_hex="$(printf '%04X' "$1")"
  until awk -v p=":$port_hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
      /proc/net/tcp; do
    kill -0 "$2" 2>/dev/null || { echo "bench: process $2 exited" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "bench: nothing listens on $1" >&2; exit 1; }
    sleep 0.05
  done
}

echo "bench: sandbox on 127.0.0.1:$base_port.. in $work" >&2
"${sandbox[@]}" init 3 --base-port "$base_port" >/dev/null
"${sandbox[@]}" start
"${sandbox[@]}" replicate
primary_port="$base_port"

grouter_port="$(free_port)"
http_port="$(free_port)"
mkdir -p "$work/run"
cat >"$work/grouter.conf" <<EOF
[DEFAULT]
runtime_folder = $work/run
[logger]
level = WARNING
[routing:rw]
bind_address = 127.0.0.1
bind_port = $grouter_port
destinations = 127.0.0.1:$primary_port
routing_strategy = first-available
max_connect_errors = 1000000
[http_server]
bind_address = 127.0.0.1
port = $http_port
EOF
"$grouter_bin" --config "$work/grouter.conf" 2>"$work/grouter.log" &
grouter_pid=$!
wait_listening "$grouter_port" "$grouter_pid"

haproxy_port="$(free_port)"
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen mysql
  bind 127.0.0.1:$haproxy_port
  server primary 127.0.0.1:$primary_port
EOF
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
wait_listening "$haproxy_port" "$haproxy_pid"

sb() {  # sb WORKLOAD PORT COMMAND [OPTIONS...]
  local workload="$1" port="$2" command="$3"
  shift 3
  sysbench "$workload" --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" \
    --mysql-user=app --mysql-password=app_pw --mysql-db=sbtest --mysql-ssl=off \
    --tables="$tables" --table-size="$table_size" "$@" "$command"
}

echo "bench: preparing $tables tables x $table_size rows" >&2
sb oltp_read_only "$primary_port" prepare >/dev/null

results="$work/results.tsv"
: >"$results"
targets=(direct grouter haproxy)
for workload in $workloads; do
  for threads in $threads_list; do
    for ((round = 0; round < rounds; round++)); do
      for ((i = 0; i < 3; i++)); do
        target="${targets[$(((i + round) % 3))]}"
        case "$target" in
          direct) port="$primary_port" ;;
          grouter) port="$grouter_port" ;;
          haproxy) port="$haproxy_port" ;;
        esac
        echo "bench: $workload $threads threads via $target (round $((round + 1))/$rounds)" >&2
        out="$(sb "$workload" "$port" run --threads="$threads" --time="$bench_time" \
          --report-interval=0 --db-ps-mode=auto 2>&1)" || { echo "$out" >&2; exit 1; }
        tps="$(awk '/transactions:/ { gsub(/\(/, "", $3); print $3 }' <<<"$out")"
        p95="$(awk '/95th percentile:/ { print $3 }' <<<"$out")"
        errors="$(awk '/ignored errors:/ { print $3 }' <<<"$out")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$threads" "$target" "$tps" "$p95" "$errors" \
          >>"$results"
      done
    done
  done
done

echo
"$python" "$root/tests/bench/summarize.py" "$results"

echo
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$grouter_pid/status"; }
idle_before="$(rss_kb)"
idle_with="$("$python" - "$grouter_port" "$idle_connections" "$grouter_pid" <<'EOF'
import sys
import pymysql

port, count, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = [pymysql.connect(host="127.0.0.1", port=port, user="app", password="app_pw", connect_timeout=30)
        for _ in range(count)]
rss = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
print(rss)
for conn in held:
    conn.close()
EOF
)"
printf 'grouter RSS: %d kB before, %d kB with %d idle client connections (%.1f kB each)\n' \
  "$idle_before" "$idle_with" "$idle_connections" \
  "$(awk -v a="$idle_before" -v b="$idle_with" -v n="$idle_connections" 'BEGIN { print (b - a) / n }')"
