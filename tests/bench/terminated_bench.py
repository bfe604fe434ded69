#!/usr/bin/python3
"""grouter's speed on terminated routes (issue 9): prints numbers, is not a test.

On its own fenced 3-node MariaDB sandbox, formed into a group by one grouter (node1 the primary,
member_weight 100), it runs sysbench oltp_point_select, oltp_read_only and oltp_read_write at 1, 8
and 64 threads against, in one run so that every target shares the same machine state:

  terminated  node1 directly, haproxy (TCP mode) to node1, grouter's pass-through route to node1,
              grouter's terminated route to node1 (client_ssl_mode = server_ssl_mode = DISABLED);
              server-side prepared statements (--db-ps-mode=auto), as bench.sh
  split       node1 directly, haproxy to node1, the read/write-splitting route
              (?role=PRIMARY_AND_SECONDARY, access_mode = auto, both ssl modes DISABLED) and the
              terminated route again (the same session without the splitter), with
              --db-ps-mode=disable (prepared statements always go to the primary)
  tls         the same three with TLS from sysbench (--mysql-ssl=on): node1 directly, haproxy
              carrying the client's TLS to node1, and grouter's route with client_ssl_mode = REQUIRED
              (the sandbox's router certificate) and server_ssl_mode = --tls-server-mode

For each run: transactions/s, p95 latency, and the proxy's CPU time per transaction (utime + stime of
grouter or haproxy from /proc/PID/stat before and after the run, divided by the transactions).
The targets of one cell run back to back in a rotating order. Then:

  memory      grouter's VmRSS before and with --idle idle sessions (PyMySQL, handshake completed)
              through the pass-through, the terminated and the TLS route
  before      on the splitting route, --reads autocommit point reads with the session at
              group_replication_consistency EVENTUAL and BEFORE, and `DO 1` (one round trip through
              the route), interleaved; the extra time of a BEFORE read in round trips

Everything it starts is stopped by pid and the sandbox destroyed on exit (--keep keeps the workdir
with grouter's and haproxy's configurations and logs).
"""
import argparse
import datetime
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from clients import PASSWORD, USER  # noqa: E402
from group_harness import FencedSandbox, group_sections, wait_for_primary, wait_group  # noqa: E402
from harness import GROUTER_BIN, Grouter, free_port, is_listening, wait_until  # noqa: E402
from summarize import print_table  # noqa: E402
from writer import mysql_connect  # noqa: E402

kSections = ("terminated", "split", "tls", "memory", "before")
kWorkloads = ("oltp_point_select", "oltp_read_only", "oltp_read_write")
kClockTicks = os.sysconf("SC_CLK_TCK")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-port", type=int, default=5600, help="the sandbox's nodes: PORT..PORT+2")
    p.add_argument("--time", type=int, default=20, help="seconds per sysbench run (default 20)")
    p.add_argument("--rounds", type=int, default=1, help="runs per cell and target (default 1)")
    p.add_argument("--threads", default="1,8,64")
    p.add_argument("--workloads", default=",".join(kWorkloads))
    p.add_argument("--sections", default=",".join(kSections), help=",".join(kSections))
    p.add_argument("--tables", type=int, default=4)
    p.add_argument("--table-size", type=int, default=10000)
    p.add_argument("--tls-server-mode", default="DISABLED", choices=("DISABLED", "REQUIRED"),
                   help="server_ssl_mode of the TLS route (default DISABLED)")
    p.add_argument("--idle", type=int, default=2000, help="idle sessions for the memory section")
    p.add_argument("--reads", type=int, default=2000, help="reads per kind for the before section")
    p.add_argument("--workdir", help="default: a new directory under /tmp")
    p.add_argument("--keep", action="store_true", help="keep the workdir")
    p.add_argument("--grouter-bin", default=GROUTER_BIN)
    args = p.parse_args(argv)
    args.threads = [int(t) for t in args.threads.split(",")]
    args.workloads = args.workloads.split(",")
    args.sections = args.sections.split(",")
    unknown = set(args.sections) - set(kSections)
    if unknown:
        p.error(f"unknown sections {sorted(unknown)}")
    return args


def log(message):
    print(f"{datetime.datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


def cpu_ticks(pid):
    """utime + stime of the process (all its threads), in clock ticks: fields 14 and 15 of stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def machine_busy_ticks():
    """CPU time the whole machine spent busy (user, nice, system, irq, softirq, steal), in ticks."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, open("/proc/stat").readline().split()[1:9])
    return user + nice + system + irq + softirq + steal


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class Target:
    def __init__(self, name, port, proxy_pid=None, *, ssl=False, ps_mode="auto"):
        self.name, self.port, self.proxy_pid, self.ssl, self.ps_mode = name, port, proxy_pid, ssl, ps_mode


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.workdir or tempfile.mkdtemp(prefix="grouter-terminated-bench."))
        self.work.mkdir(parents=True, exist_ok=True)
        self.sandbox = FencedSandbox(self.work / "sandbox", 3, args.base_port)
        self.grouter = None
        self.haproxy = None
        self.results = []   # (section, workload, threads, target, tps, p95, errors, cpu_us)

    # ---- set-up and tear-down

    def start(self):
        a = self.args
        log(f"fenced sandbox on 127.0.0.1:{a.base_port}..{a.base_port + 2} in {self.work}")
        self.sandbox.create()
        for i in (1, 2, 3):  # the idle sessions plus grouter's own links exceed the sandbox's 2000
            self.sandbox.sql(i, "SET GLOBAL max_connections = 6000")
        ssl = self.sandbox.path / "ssl"
        node1 = self.sandbox.addr(1)
        sections = group_sections(self.sandbox, weights={1: 100})
        del sections["routing:primary"], sections["routing:secondary"]
        sections["logger"] = {"level": "WARNING"}
        static = {"destinations": node1, "routing_strategy": "first-available",
                  "max_connect_errors": 1000000}
        sections["routing:pass"] = dict(static)
        sections["routing:term"] = {**static, "client_ssl_mode": "DISABLED", "server_ssl_mode": "DISABLED"}
        sections["routing:tls"] = {**static, "client_ssl_mode": "REQUIRED",
                                   "client_ssl_cert": ssl / "router-cert.pem",
                                   "client_ssl_key": ssl / "router-key.pem",
                                   "server_ssl_mode": a.tls_server_mode}
        sections["routing:split"] = {"destinations": "metadata-cache://mygroup/?role=PRIMARY_AND_SECONDARY",
                                     "access_mode": "auto", "client_ssl_mode": "DISABLED",
                                     "server_ssl_mode": "DISABLED", "max_connect_errors": 1000000}
        self.grouter = Grouter(self.work / "grouter", sections, binary=a.grouter_bin).start()
        primary = wait_for_primary(self.grouter, 120)
        if f"{primary['member_host']}:{primary['member_port']}" != node1:
            raise RuntimeError(f"expected node1 ({node1}) as primary, got {primary}")
        wait_group(self.grouter, lambda s: sum(m["member_state"] == "ONLINE" for m in s["members"]) == 3,
                   120, "3 ONLINE members")

        self.node_pids = [self.sandbox.pid(i) for i in (1, 2, 3)]
        self.haproxy_port = free_port()
        cfg = self.work / "haproxy.cfg"
        cfg.write_text(f"global\n  maxconn 8000\ndefaults\n  mode tcp\n  timeout connect 5s\n"
                       f"  timeout client 1h\n  timeout server 1h\nlisten mysql\n"
                       f"  bind 127.0.0.1:{self.haproxy_port}\n  server node1 {node1}\n")
        with open(self.work / "haproxy.log", "ab") as out:
            self.haproxy = subprocess.Popen(["haproxy", "-f", str(cfg), "-db"], stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=out)
        wait_until(lambda: self.haproxy.poll() is None and is_listening(self.haproxy_port), 20,
                   "haproxy to listen")

        # sysbench 1.0.20's --mysql-ssl=on passes these fixed names, relative to its working
        # directory, to mysql_ssl_set(): the sandbox's CA and a certificate it signed.
        self.sysbench_dir = self.work / "sysbench"
        self.sysbench_dir.mkdir(exist_ok=True)
        for src, dst in (("ca.pem", "cacert.pem"), ("router-cert.pem", "client-cert.pem"),
                         ("router-key.pem", "client-key.pem")):
            shutil.copy(ssl / src, self.sysbench_dir / dst)

        g = self.grouter
        port1 = self.sandbox.port(1)
        pid, hpid = g.pid, self.haproxy.pid
        self.targets = {
            "terminated": [Target("direct", port1), Target("haproxy", self.haproxy_port, hpid),
                           Target("grouter-pass", g.route_port("pass"), pid),
                           Target("grouter-term", g.route_port("term"), pid)],
            "split": [Target("direct-primary", port1, ps_mode="disable"),
                      Target("haproxy", self.haproxy_port, hpid, ps_mode="disable"),
                      Target("grouter-6450", g.route_port("split"), pid, ps_mode="disable"),
                      # the same terminated session without the splitter, for telling their costs apart
                      Target("grouter-term", g.route_port("term"), pid, ps_mode="disable")],
            "tls": [Target("direct-tls", port1, ssl=True), Target("haproxy-tls", self.haproxy_port, hpid, ssl=True),
                    Target("grouter-tls", g.route_port("tls"), pid, ssl=True)],
        }

    def cleanup(self):
        if self.haproxy and self.haproxy.poll() is None:
            self.haproxy.send_signal(signal.SIGTERM)
            try:
                self.haproxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
                self.haproxy.wait()
        if self.grouter:
            self.grouter.cleanup()
        self.sandbox.destroy()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    # ---- sysbench

    def sysbench(self, workload, target, command, threads=1):
        a = self.args
        cmd = ["sysbench", workload, "--db-driver=mysql", "--mysql-host=127.0.0.1",
               f"--mysql-port={target.port}", f"--mysql-user={USER}", f"--mysql-password={PASSWORD}",
               "--mysql-db=sbtest", f"--mysql-ssl={'on' if target.ssl else 'off'}",
               f"--tables={a.tables}", f"--table-size={a.table_size}", f"--threads={threads}",
               f"--time={a.time}", "--report-interval=0", f"--db-ps-mode={target.ps_mode}", command]
        done = subprocess.run(cmd, cwd=self.sysbench_dir, capture_output=True, text=True,
                              timeout=a.time + 300)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def prepare(self):
        a = self.args
        log(f"preparing {a.tables} tables x {a.table_size} rows")
        self.sysbench("oltp_read_write", Target("direct", self.sandbox.port(1)), "prepare")
        self.wait_replicated()

    def wait_replicated(self):
        position = self.sandbox.sql(1, "SELECT @@GLOBAL.gtid_binlog_pos")
        for i in (2, 3):
            wait_until(lambda: self.sandbox.sql(i, "SELECT @@GLOBAL.gtid_current_pos") == position, 120,
                       f"node{i} to apply {position}")

    def secondary_selects(self):
        return sum(int(self.sandbox.sql(i, "SHOW GLOBAL STATUS LIKE 'Com_select'").split()[-1])
                   for i in (2, 3))

    def ssl_accepts(self):
        return int(self.sandbox.sql(1, "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'").split()[-1])

    def run_one(self, section, workload, threads, target):
        log(f"{section}: {workload} {threads} threads via {target.name}")
        before = cpu_ticks(target.proxy_pid) if target.proxy_pid else None
        selects = self.secondary_selects() if target.name == "grouter-6450" else None
        accepts = self.ssl_accepts() if target.ssl else None
        busy0, own0, wall0 = machine_busy_ticks(), self.own_ticks(), time.monotonic()
        out = self.sysbench(workload, target, "run", threads)
        after = cpu_ticks(target.proxy_pid) if target.proxy_pid else None
        foreign = ((machine_busy_ticks() - busy0) - (self.own_ticks() - own0)) / kClockTicks / \
            (time.monotonic() - wall0)
        self.foreign[section].append(foreign)
        fields = {}
        for line in out.splitlines():
            words = line.split()
            if line.strip().startswith("transactions:"):
                fields["trx"] = int(words[1])
                fields["tps"] = float(words[2].strip("("))
            elif line.strip().startswith("95th percentile:"):
                fields["p95"] = float(words[2])
            elif line.strip().startswith("ignored errors:"):
                fields["errors"] = int(words[2])
        cpu_us = None
        if before is not None:
            cpu_us = (after - before) * 1e6 / kClockTicks / max(fields["trx"], 1)
        if accepts is not None:
            self.node_tls[target.name] = self.node_tls.get(target.name, 0) + self.ssl_accepts() - accepts
        if selects is not None:
            self.split_reads.append((workload, threads, self.secondary_selects() - selects))
        self.results.append((section, workload, str(threads), target.name, fields["tps"], fields["p95"],
                             fields.get("errors", 0), "-" if cpu_us is None else f"{cpu_us:.1f}"))

    def own_ticks(self):
        """CPU ticks of everything the benchmark runs: grouter, haproxy, the nodes, sysbench (a
        finished child) and this process; the rest of the machine's busy time is other people's."""
        pids = [self.grouter.pid, self.haproxy.pid] + self.node_pids
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = os.times()
        return sum(cpu_ticks(pid) for pid in pids) + \
            (children.ru_utime + children.ru_stime + own.user + own.system) * kClockTicks

    def run_sysbench_sections(self):
        self.split_reads = []
        self.node_tls = {}  # target -> TLS handshakes node1 accepted during its runs
        self.foreign = {s: [] for s in ("terminated", "split", "tls")}
        a = self.args
        for section in ("terminated", "split", "tls"):
            if section not in a.sections:
                continue
            targets = self.targets[section]
            cell = 0
            for workload in a.workloads:
                for threads in a.threads:
                    for r in range(a.rounds):
                        for i in range(len(targets)):
                            self.run_one(section, workload, threads, targets[(i + r + cell) % len(targets)])
                    cell += 1

    # ---- grouter's background CPU (the group's probes), to read the CPU column against

    def background_cpu(self, seconds=10):
        before = cpu_ticks(self.grouter.pid)
        time.sleep(seconds)
        return (cpu_ticks(self.grouter.pid) - before) * 1000 / kClockTicks / seconds  # ms per s

    # ---- memory per idle session

    def idle_sessions(self, port, ssl):
        kw = {"ssl": {"ca": str(self.sandbox.path / "ssl" / "ca.pem")}} if ssl else {}
        for _ in range(20):  # warm up: the first sessions' allocations are not per-session
            mysql_connect("127.0.0.1", port, USER, PASSWORD, connect_timeout=30, **kw).close()
        time.sleep(1)
        before = rss_kb(self.grouter.pid)
        held = [mysql_connect("127.0.0.1", port, USER, PASSWORD, connect_timeout=30, io_timeout=60, **kw)
                for _ in range(self.args.idle)]
        time.sleep(1)
        with_idle = rss_kb(self.grouter.pid)
        for conn in held:
            conn.close()
        return before, with_idle

    def memory(self):
        g = self.grouter
        lines = []
        for name, port, ssl in (("pass-through", g.route_port("pass"), False),
                                ("terminated", g.route_port("term"), False),
                                ("terminated TLS", g.route_port("tls"), True)):
            log(f"memory: {self.args.idle} idle sessions via {name}")
            before, with_idle = self.idle_sessions(port, ssl)
            per = (with_idle - before) / self.args.idle
            lines.append(f"{name:<15} {before:>9} kB before {with_idle:>9} kB with {self.args.idle} idle "
                         f"sessions  {per:6.1f} KiB per session")
            wait_until(lambda: len(self.sandbox.sql(1, "SHOW PROCESSLIST").splitlines()) < 100, 60,
                       "the idle sessions to close on node1")
        return lines

    # ---- the cost of a BEFORE read

    def before_cost(self):
        n, table_size = self.args.reads, self.args.table_size
        split = self.grouter.route_port("split")
        conns = {}
        for level in ("EVENTUAL", "BEFORE"):
            conn = mysql_connect("127.0.0.1", split, USER, PASSWORD, "sbtest")
            with conn.cursor() as cur:
                cur.execute(f"SET @@SESSION.group_replication_consistency = '{level}'")
            conns[level] = conn
        conns["direct"] = mysql_connect("127.0.0.1", self.sandbox.port(1), USER, PASSWORD, "sbtest")
        conns["direct-secondary"] = mysql_connect("127.0.0.1", self.sandbox.port(2), USER, PASSWORD,
                                                  "sbtest")
        read = "SELECT c FROM sbtest1 WHERE id = %s"
        with conns["direct"].cursor() as cur:
            cur.execute("SELECT @@GLOBAL.gtid_binlog_pos")
            position = cur.fetchone()[0]
        # The last two are grouter's own steps for a BEFORE read, timed directly on the nodes.
        kinds = [("eventual read", "EVENTUAL", read), ("before read", "BEFORE", read),
                 ("DO 1 (route)", "EVENTUAL", "DO 1"),
                 ("direct read, primary", "direct", read), ("direct DO 1, primary", "direct", "DO 1"),
                 ("direct read, secondary", "direct-secondary", read),
                 ("gtid_binlog_pos, primary", "direct", "SELECT @@GLOBAL.gtid_binlog_pos"),
                 ("MASTER_GTID_WAIT, 2ary", "direct-secondary", f"SELECT MASTER_GTID_WAIT('{position}', 8)")]
        where = {}
        for level in ("EVENTUAL", "BEFORE"):
            with conns[level].cursor() as cur:
                cur.execute("SELECT @@server_id")  # an autocommit read: opens the secondary link
                where[level] = cur.fetchone()[0]
        samples = {k[0]: [] for k in kinds}
        rounds = 20
        for r in range(rounds):
            for i in range(len(kinds)):
                name, conn_name, sql = kinds[(i + r) % len(kinds)]
                with conns[conn_name].cursor() as cur:
                    for _ in range(n // rounds):
                        args = (random.randint(1, table_size),) if "%s" in sql else None
                        t0 = time.perf_counter_ns()
                        cur.execute(sql, args)
                        cur.fetchall()
                        samples[name].append((time.perf_counter_ns() - t0) / 1000)
        for conn in conns.values():
            conn.close()
        med = {k: statistics.median(v) for k, v in samples.items()}
        lines = [f"reads went to server_id {where['EVENTUAL']} (EVENTUAL) and {where['BEFORE']} (BEFORE); "
                 f"the primary is node1 (server_id 1)",
                 f"{'kind':<24} {'n':>6} {'median us':>10} {'mean us':>9} {'p95 us':>9}"]
        for name, values in samples.items():
            values = sorted(values)
            lines.append(f"{name:<24} {len(values):>6} {med[name]:>10.1f} {statistics.fmean(values):>9.1f} "
                         f"{values[int(len(values) * 0.95)]:>9.1f}")
        extra = med["before read"] - med["eventual read"]
        lines.append(f"BEFORE - EVENTUAL: {extra:.1f} us = {extra / med['DO 1 (route)']:.2f} round trips through "
                     f"the route (DO 1: {med['DO 1 (route)']:.1f} us), "
                     f"{extra / med['direct DO 1, primary']:.2f} direct round trips to the primary "
                     f"({med['direct DO 1, primary']:.1f} us)")
        return lines

    def print_goals(self):
        """Issue 9's throughput goal: the terminated route at least haproxy's trx/s at 8 and 64
        threads, p95 at most 1.2x haproxy's (medians over the rounds)."""
        def cell(section, workload, threads, target):
            runs = [r for r in self.results if r[0] == section and r[1:4] == (workload, str(threads), target)]
            if not runs:
                return None
            return (statistics.median(r[4] for r in runs), statistics.median(r[5] for r in runs),
                    statistics.median(float(r[7]) for r in runs))
        print("\n== goals: grouter / haproxy in the same run (trx/s >= 1.00 and p95 <= 1.20 at 8 and 64 threads)")
        print(f"{'route':<14} {'workload':<18} {'threads':>7} {'trx/s x':>8} {'p95 x':>6} {'cpu x':>6}  met")
        for section, mine, theirs in (("terminated", "grouter-term", "haproxy"),
                                      ("terminated", "grouter-pass", "haproxy"),
                                      ("split", "grouter-6450", "haproxy"),
                                      ("split", "grouter-term", "haproxy"),
                                      ("tls", "grouter-tls", "haproxy-tls")):
            for workload in self.args.workloads:
                for threads in self.args.threads:
                    g, h = cell(section, workload, threads, mine), cell(section, workload, threads, theirs)
                    if not g or not h:
                        continue
                    tps_x, p95_x, cpu_x = g[0] / h[0], g[1] / h[1], g[2] / h[2]
                    met = "-" if threads < 8 else ("yes" if tps_x >= 1.0 and p95_x <= 1.2 else "no")
                    print(f"{mine:<14} {workload:<18} {threads:>7} {tps_x:>8.2f} {p95_x:>6.2f} {cpu_x:>6.2f}  {met}")

    def run(self):
        a = self.args
        started = datetime.datetime.now(datetime.timezone.utc)
        self.start()
        self.prepare()
        background = self.background_cpu()
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        print(f"grouter at {a.grouter_bin} (checkout {commit}); {started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; "
              f"sysbench runs of {a.time} s, {a.rounds} round(s); TLS route server_ssl_mode = "
              f"{a.tls_server_mode}")
        print(f"grouter's CPU while idle (the group's probes): {background:.2f} ms per second")
        memory = self.memory() if "memory" in a.sections else []
        self.run_sysbench_sections()
        before = self.before_cost() if "before" in a.sections else []
        for section in ("terminated", "split", "tls"):
            names = [t.name for t in self.targets[section]]
            rows = sorted((r[1:] for r in self.results if r[0] == section),
                          key=lambda r: (a.workloads.index(r[0]), int(r[1]), names.index(r[2])))
            if rows:
                f = sorted(self.foreign[section])
                print(f"\n== {section}: other processes on the machine used {statistics.median(f):.2f} "
                      f"cores (median of the runs; {f[0]:.2f}-{f[-1]:.2f}) of {os.cpu_count()}")
                print_table(rows)
        self.print_goals()
        if self.split_reads:
            print("\nreads that reached the secondaries during the grouter-6450 runs (Com_select on node2 + "
                  "node3): " + ", ".join(f"{w} {t}: {n}" for w, t, n in self.split_reads))
        if self.node_tls:
            print("TLS handshakes node1 accepted during the tls runs (sysbench opens one connection per "
                  "thread): " + ", ".join(f"{t} {n}" for t, n in self.node_tls.items()))
        if memory:
            print("\n== memory (grouter VmRSS)")
            print("\n".join(memory))
        if before:
            print("\n== BEFORE read on the splitting route")
            print("\n".join(before))
        with open(self.work / "results.tsv", "w") as out:
            for r in self.results:
                print("\t".join(map(str, r)), file=out)
        print(f"\nfinished {datetime.datetime.now(datetime.timezone.utc):%H:%M} UTC")


def main(argv=None):
    bench = Bench(parse_args(argv))
    try:
        bench.run()
    finally:
        bench.cleanup()


if __name__ == "__main__":
    main()
