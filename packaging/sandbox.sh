#!/usr/bin/env bash
# A sandbox of MariaDB storage nodes on loopback ports, for the demo, the integration tests and the
# benchmark. Every node lives in DIR/nodeI (datadir, own option file, socket, pid file, error log); the
# system's /etc/mysql and its service are never read or touched. Processes are stopped only by the pid
# each node recorded. See usage() for the commands.
set -euo pipefail

readonly kDefaultBasePort=3310
readonly kWaitSeconds=60        # bound on every wait for a node to start, stop or replicate
readonly kPollSeconds=0.1

usage() {
  cat <<'EOF'
usage: sandbox.sh --dir DIR COMMAND [ARGS]
  init N [--base-port P] [--fenced]
                           create N nodes (node i on 127.0.0.1:P+i-1, P default 3310); not started.
                           --fenced: every node starts fenced, as grouter's group expects fresh
                           nodes (read_only=ON, init_rpl_role=SLAVE, semi-sync configured but the
                           master side off, databases test and sbtest present with empty GTID
                           sets); no replication: grouter forms the group ('replicate' refuses)
  start [I ...]            start all nodes or the listed ones (1-based); waits until each accepts
  replicate                node 1 primary, the others replicate from it (GTID, semi-sync AFTER_SYNC);
                           then creates the databases test and sbtest on node 1
  stop [I ...]             clean shutdown by recorded pid; waits for exit
  kill I                   SIGKILL by recorded pid
  restart I                stop (if running), then start
  status                   one line per node: i port pid running|stopped
  destroy                  stop all nodes and remove DIR
  sql I "STATEMENT"        run SQL on node I as root over its socket (batch output, no column names)
Users on every node (created with sql_log_bin=0): app/app_pw, admin/admin_pw, repl/repl_pw.
EOF
}

die() { echo "sandbox: $*" >&2; exit 1; }

dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || die "--dir needs a value"; dir="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) break ;;
  esac
done
[ -n "$dir" ] || { usage >&2; exit 2; }
# Absolute, so that the processes' command lines (which status/stop/kill match) name it the same
# way whatever the caller's directory.
dir="$(realpath -m -- "$dir")"
[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd="$1"; shift

node_dir() { echo "$dir/node$1"; }
sock() { echo "$dir/node$1/mysqld.sock"; }
# The pid this script launched, in a file of its own: the server rewrites its pid_file while it
# starts, and a read in between (an empty file) once made a start look like an exit.
pid_file() { echo "$dir/node$1/mysqld.pid"; }

load_meta() {
  [ -f "$dir/sandbox.env" ] || die "no sandbox in $dir (run init first)"
  # shellcheck source=/dev/null
  . "$dir/sandbox.env"
}

port_of() { echo $((BASE_PORT + $1 - 1)); }

check_node() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$NODES" ] || die "no node '$1' (1..$NODES)"
}

recorded_pid() {
  local f; f="$(pid_file "$1")"
  [ -s "$f" ] && cat "$f" || true
}

# Running means: the recorded pid is alive and is a mariadbd started with this node's option file.
is_running() {
  local pid; pid="$(recorded_pid "$1")"
  [ -n "$pid" ] || return 1
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--defaults-file=$(node_dir "$1")/my.cnf"
}

client() {  # client I [mariadb args...]: root over the node's socket
  local i="$1"; shift
  mariadb --no-defaults --user=root --socket="$(sock "$i")" "$@"
}

write_ssl() {  # a CA, the nodes' certificate, and one for grouter's terminated routes
  local ssl="$dir/ssl"
  mkdir -p "$ssl"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=grouter sandbox CA" \
    -keyout "$ssl/ca-key.pem" -out "$ssl/ca.pem" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$ssl/san.ext"
  local who
  for who in server router; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "$ssl/$who-key.pem" -out "$ssl/$who.csr" 2>/dev/null
    openssl x509 -req -in "$ssl/$who.csr" -CA "$ssl/ca.pem" -CAkey "$ssl/ca-key.pem" \
      -CAcreateserial -days 3650 -extfile "$ssl/san.ext" -out "$ssl/$who-cert.pem" 2>/dev/null
    rm -f "$ssl/$who.csr"
  done
  rm -f "$ssl/san.ext"
}

write_cnf() {  # write_cnf I
  local i="$1" d; d="$(node_dir "$i")"
  local role_opts
  if [ "${FENCED:-0}" = 1 ]; then
    # Like GR's advice to put super_read_only in the option file: a node never starts writable;
    # grouter lifts read_only on the primary it elects and turns on its semi-sync master side.
    # Nor does it resume replicating from the source it had before a restart (which may be a
    # deposed primary): grouter points it at a donor when it rejoins.
    role_opts="read_only = ON
skip_slave_start = ON
init_rpl_role = SLAVE
rpl_semi_sync_slave_enabled = ON
rpl_semi_sync_master_enabled = OFF
rpl_semi_sync_master_wait_point = AFTER_SYNC
rpl_semi_sync_master_timeout = 3600000
rpl_semi_sync_master_wait_no_slave = ON"
  elif [ "$i" -eq 1 ]; then
    role_opts="rpl_semi_sync_master_enabled = ON
rpl_semi_sync_master_wait_point = AFTER_SYNC
rpl_semi_sync_master_timeout = 3600000
rpl_semi_sync_master_wait_no_slave = ON"
  else
    role_opts="rpl_semi_sync_slave_enabled = ON
read_only = ON"
  fi
  cat >"$d/my.cnf" <<EOF
# grouter sandbox node $i; read only through --defaults-file, never /etc/mysql.
[mariadbd]
user = root
datadir = $d/data
socket = $d/mysqld.sock
pid_file = $d/mariadbd.pid
log_error = $d/error.log
port = $(port_of "$i")
bind_address = 127.0.0.1
skip_name_resolve = ON
server_id = $i
log_bin = $d/data/binlog
log_slave_updates = ON
binlog_format = ROW
gtid_strict_mode = ON
gtid_domain_id = 0
max_allowed_packet = 64M
max_connections = 2000
max_connect_errors = 4294967295
open_files_limit = 8192
performance_schema = OFF
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
innodb_log_buffer_size = 8M
innodb_flush_log_at_trx_commit = 2
innodb_flush_method = O_DIRECT
innodb_buffer_pool_dump_at_shutdown = OFF
innodb_buffer_pool_load_at_startup = OFF
sync_binlog = 0
skip_external_locking
ssl_ca = $dir/ssl/ca.pem
ssl_cert = $dir/ssl/server-cert.pem
ssl_key = $dir/ssl/server-key.pem
$role_opts
EOF
}

users_sql() {
  cat <<'EOF'
SET sql_log_bin = 0;
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE USER 'app'@'%' IDENTIFIED BY 'app_pw';
CREATE USER 'app'@'localhost' IDENTIFIED BY 'app_pw';
GRANT ALL ON test.* TO 'app'@'%';
GRANT ALL ON sbtest.* TO 'app'@'%';
GRANT ALL ON test.* TO 'app'@'localhost';
GRANT ALL ON sbtest.* TO 'app'@'localhost';
CREATE USER 'admin'@'%' IDENTIFIED BY 'admin_pw';
CREATE USER 'admin'@'localhost' IDENTIFIED BY 'admin_pw';
GRANT ALL PRIVILEGES ON *.* TO 'admin'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'admin'@'localhost' WITH GRANT OPTION;
CREATE USER 'repl'@'%' IDENTIFIED BY 'repl_pw';
GRANT REPLICATION SLAVE, REPLICATION SLAVE ADMIN ON *.* TO 'repl'@'%';
EOF
  if [ "${FENCED:-0}" = 1 ]; then
    printf 'CREATE DATABASE test;\nCREATE DATABASE sbtest;\n'
  fi
}

cmd_init() {
  [ $# -ge 1 ] || die "init needs N"
  local n="$1"; shift
  local base="$kDefaultBasePort"
  FENCED=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --base-port) [ $# -ge 2 ] || die "--base-port needs a value"; base="$2"; shift 2 ;;
      --fenced) FENCED=1; shift ;;
      *) die "init: unknown option '$1'" ;;
    esac
  done
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || die "init: N must be a positive number"
  [[ "$base" =~ ^[0-9]+$ ]] || die "init: --base-port must be a number"
  [ ! -e "$dir/sandbox.env" ] || die "$dir already holds a sandbox (destroy it first)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  NODES="$n"
  BASE_PORT="$base"
  printf 'NODES=%s\nBASE_PORT=%s\nFENCED=%s\n' "$NODES" "$BASE_PORT" "$FENCED" >"$dir/sandbox.env"
  write_ssl

  # One datadir is installed and given its users, then copied: all nodes start alike and fast.
  # A private tmpdir: installs running side by side must not share /tmp's temporary tables.
  local tmpl="$dir/template"
  mkdir -p "$tmpl/tmp"
  mariadb-install-db --no-defaults --user=root --datadir="$tmpl/data" --skip-test-db \
    --auth-root-authentication-method=socket --skip-name-resolve --tmpdir="$tmpl/tmp" \
    >"$tmpl/install.log" 2>&1 \
    || { cat "$tmpl/install.log" >&2; die "mariadb-install-db failed"; }
  users_sql | mariadbd --no-defaults --user=root --datadir="$tmpl/data" --bootstrap \
    --tmpdir="$tmpl/tmp" --skip-log-bin --innodb-buffer-pool-size=32M >>"$tmpl/install.log" 2>&1 \
    || { cat "$tmpl/install.log" >&2; die "creating users failed"; }
  local i
  for ((i = 1; i <= n; i++)); do
    mkdir -p "$(node_dir "$i")"
    cp -a "$tmpl/data" "$(node_dir "$i")/data"
    write_cnf "$i"
  done
  rm -rf "$tmpl"
  echo "sandbox: $n nodes in $dir, ports $base..$((base + n - 1))"
}

start_one() {  # launches without waiting
  local i="$1"
  if is_running "$i"; then return 0; fi
  rm -f "$(pid_file "$i")"
  local d; d="$(node_dir "$i")"
  setsid mariadbd --defaults-file="$d/my.cnf" </dev/null >>"$d/error.log" 2>&1 &
  echo $! >"$(pid_file "$i")"
}

wait_accepting() {
  local i="$1" deadline=$((SECONDS + kWaitSeconds))
  while ! client "$i" -e 'SELECT 1' >/dev/null 2>&1; do
    if ! is_running "$i"; then
      tail -n 20 "$(node_dir "$i")/error.log" >&2
      die "node $i exited during start-up (log: $(node_dir "$i")/error.log)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "node $i did not accept within ${kWaitSeconds}s"
    sleep "$kPollSeconds"
  done
}

nodes_or_all() {  # prints the listed node numbers, or all of them
  local i
  if [ $# -eq 0 ]; then
    for ((i = 1; i <= NODES; i++)); do echo "$i"; done
  else
    for i in "$@"; do check_node "$i"; echo "$i"; done
  fi
}

cmd_start() {
  local list i
  list="$(nodes_or_all "$@")"
  for i in $list; do start_one "$i"; done
  for i in $list; do wait_accepting "$i"; done
}

alive() {  # alive PID: exists and is not a zombie waiting for its reaper
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != "Z" ]
}

wait_exited() {
  local i="$1" pid="$2" deadline=$((SECONDS + kWaitSeconds))
  while alive "$pid"; do
    [ "$SECONDS" -lt "$deadline" ] || die "node $i (pid $pid) did not exit within ${kWaitSeconds}s"
    sleep "$kPollSeconds"
  done
}

cmd_stop() {
  local list i pid pids=()
  list="$(nodes_or_all "$@")"
  for i in $list; do
    if is_running "$i"; then
      pid="$(recorded_pid "$i")"
      kill -TERM "$pid"
      pids+=("$i:$pid")
    fi
  done
  local entry
  for entry in "${pids[@]}"; do wait_exited "${entry%%:*}" "${entry##*:}"; done
}

cmd_kill() {
  [ $# -eq 1 ] || die "kill needs exactly one node"
  check_node "$1"
  if is_running "$1"; then
    local pid; pid="$(recorded_pid "$1")"
    kill -KILL "$pid"
    wait_exited "$1" "$pid"
  fi
}

cmd_restart() {
  [ $# -eq 1 ] || die "restart needs exactly one node"
  check_node "$1"
  cmd_stop "$1"
  cmd_start "$1"
}

cmd_status() {
  local i pid
  for ((i = 1; i <= NODES; i++)); do
    pid="$(recorded_pid "$i")"
    if is_running "$i"; then
      echo "$i $(port_of "$i") $pid running"
    else
      echo "$i $(port_of "$i") ${pid:--} stopped"
    fi
  done
}

cmd_destroy() {
  if [ -f "$dir/sandbox.env" ]; then
    load_meta
    cmd_stop
  fi
  rm -rf "$dir"
}

cmd_sql() {
  [ $# -eq 2 ] || die "sql needs a node and one statement"
  check_node "$1"
  client "$1" --batch --skip-column-names -e "$2"
}

wait_sql() {  # wait_sql I "QUERY" EXPECTED: until QUERY's output equals EXPECTED
  local i="$1" q="$2" want="$3" deadline=$((SECONDS + kWaitSeconds)) got=""
  while :; do
    got="$(client "$i" --batch --skip-column-names -e "$q" 2>/dev/null || true)"
    [ "$got" != "$want" ] || return 0
    [ "$SECONDS" -lt "$deadline" ] || die "node $i: '$q' gave '$got', want '$want' after ${kWaitSeconds}s"
    sleep "$kPollSeconds"
  done
}

cmd_replicate() {
  local i
  [ "${FENCED:-0}" != 1 ] || die "replicate: this sandbox is fenced; grouter forms the group over it"
  for ((i = 2; i <= NODES; i++)); do
    client "$i" -e "STOP SLAVE; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$BASE_PORT,
      MASTER_USER='repl', MASTER_PASSWORD='repl_pw', MASTER_USE_GTID=slave_pos,
      MASTER_CONNECT_RETRY=1; START SLAVE;"
  done
  for ((i = 2; i <= NODES; i++)); do wait_slave_threads "$i"; done
  if [ "$NODES" -gt 1 ]; then
    wait_sql 1 "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
      WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS'" "$((NODES - 1))"
  fi
  client 1 -e "CREATE DATABASE IF NOT EXISTS test; CREATE DATABASE IF NOT EXISTS sbtest;"
  local gtid; gtid="$(client 1 --batch --skip-column-names -e 'SELECT @@gtid_binlog_pos')"
  for ((i = 2; i <= NODES; i++)); do
    wait_sql "$i" "SELECT @@gtid_slave_pos" "$gtid"
  done
}

wait_slave_threads() {  # both replication threads of node I run
  local i="$1" deadline=$((SECONDS + kWaitSeconds)) st
  while :; do
    st="$(client "$i" -e 'SHOW SLAVE STATUS\G' 2>/dev/null || true)"
    if grep -q 'Slave_IO_Running: Yes' <<<"$st" && grep -q 'Slave_SQL_Running: Yes' <<<"$st"; then
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "$st" >&2; die "node $i: replication threads not running"; }
    sleep "$kPollSeconds"
  done
}

case "$cmd" in
  init) cmd_init "$@" ;;
  start) load_meta; cmd_start "$@" ;;
  replicate) load_meta; [ $# -eq 0 ] || die "replicate takes no arguments"; cmd_replicate ;;
  stop) load_meta; cmd_stop "$@" ;;
  kill) load_meta; cmd_kill "$@" ;;
  restart) load_meta; cmd_restart "$@" ;;
  status) load_meta; cmd_status ;;
  destroy) cmd_destroy ;;
  sql) load_meta; cmd_sql "$@" ;;
  *) usage >&2; exit 2 ;;
esac
