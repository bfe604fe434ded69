#!/usr/bin/python3
"""grouter's failover benchmark: prints numbers, is not a test (run it by hand).

On its own fenced 3-node sandbox (base port 3390 unless --base-port) it starts grouter with a group
over the nodes (the group defaults: probe_interval 0.5 s, member_suspicion_timeout 3 s,
member_expel_timeout 5 s) and a recording writer (tests/integration/writer.py: autocommit single-row
INSERTs, THREADS threads) through the group's primary route, then measures:

  kill    RUNS times on one group: with every member ONLINE and writes flowing, SIGKILL the primary
          (found over REST). failover_s = time from the signal to the OK of the first write through
          the primary route that was sent after it. sessions_survived = how many of 20 idle sessions
          on a read/write-splitting route (each with a user variable set) run a statement on the new
          primary afterwards with their variable and no error. Then the node is started again and must rejoin:
          rejoin_s = time from the restarted node accepting connections to ONLINE.
  stop    RUNS times: SIGSTOP the primary (a hung server), measured like kill; SIGCONT once the new
          primary is elected. Two modes (--stop-mode):
            load    (default) the writer keeps sending: statements sent to the hung primary wait in
                    its socket and commit when it resumes although no client is acknowledged, so the
                    old primary usually ends ERROR (errant transactions, not merged, as in GR). Every
                    run therefore uses a fresh sandbox and grouter; outcome = where the old primary
                    ends after SIGCONT (ONLINE, or ERROR for errant transactions), settle_s = time
                    from SIGCONT to that state.
            paused  on one group: the writer is paused (nothing in flight) before SIGSTOP and resumed
                    once GET /api/v1/group shows the primary UNREACHABLE; still timed from SIGSTOP.
                    Nothing errant is left, so the old primary must rejoin (settle_s to ONLINE).
  catchup RUNS times on one group: stop a secondary cleanly, write ROWS rows, start it again;
          accept_to_online_s = time from the node accepting connections to ONLINE; behind = the
          transactions it missed (from the primary's GTID positions); per_10k_s scales that time to
          10k transactions behind.

From grouter's log it also takes, relative to the signal: detect_s (the member suspected), expel_s
(expelled from the view) and elect_s (the new primary decided); for catchup, recovery_ms (grouter's
"caught up with donor in N ms").

Checks: after every failover, every write acknowledged so far is on the new primary (acked/missing
per run); at the end of each group, every ONLINE member has applied the primary's GTID position, has
every acknowledged write and the same table checksum; a killed primary must come back ONLINE; a hung
primary under load may end ERROR only for errant transactions, and its extra rows must be writes the
writer never saw acknowledged. It also watches for other processes using the CPU during a run (the
numbers are only meaningful on an otherwise idle machine) and reports them.

It prints every sample and the medians and exits 1 when a check failed or a run could not finish.
Everything it starts is stopped by pid on exit.
"""
import argparse
import datetime
import json
import os
import platform
import re
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
from group_harness import (FencedSandbox, find_member, group_sections, group_status,  # noqa: E402
                           member_address, primary_member, stopped_process, wait_for_primary,
                           wait_group, wait_member, wait_member_not_online, wait_member_state)
from harness import GROUTER_BIN, Grouter, wait_until  # noqa: E402
from writer import (RecordingWriter, gtid_positions, mysql_connect, table_checksum,  # noqa: E402
                    transactions_between)

import pymysql  # noqa: E402

kScenarios = ("kill", "stop", "catchup")
kStopModes = ("load", "paused")
kTable = "failover_bench"
kDb = "test"
kWarmupWrites = 500           # acknowledged writes on a fresh group before its first failover
kAfterWrites = 200            # acknowledged writes after a failover before the next step
kIdleSessions = 20            # idle read/write-splitting sessions that should survive a kill
kForeignCpuWarnS = 1.0        # CPU seconds other processes may use during one run before a warning
kLogTime = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="runs of each scenario (default 5)")
    p.add_argument("--scenarios", default=",".join(kScenarios),
                   help=f"comma-separated, of {', '.join(kScenarios)} (default all)")
    p.add_argument("--stop-mode", choices=kStopModes, default="load",
                   help="stop scenario: writer under load on a fresh group per run (default), or "
                        "paused before SIGSTOP on one group")
    p.add_argument("--threads", type=int, default=6, help="writer threads (default 6)")
    p.add_argument("--catchup-rows", type=int, default=10000,
                   help="rows written while a secondary is down (default 10000)")
    p.add_argument("--base-port", type=int, default=3390, help="sandbox base port (default 3390)")
    p.add_argument("--grouter-bin", default=GROUTER_BIN, help=f"grouter binary (default {GROUTER_BIN})")
    p.add_argument("--timeout", type=float, default=120,
                   help="bound in seconds on each wait: failover, election, rejoin (default 120)")
    p.add_argument("--io-timeout", type=float, default=15,
                   help="writer read/write timeout in seconds; above destination_wait_timeout so a "
                        "connection grouter holds during a failover is not dropped (default 15)")
    p.add_argument("--workdir", help="where the sandboxes and grouter live (default: a new temp dir)")
    p.add_argument("--keep", action="store_true",
                   help="keep the work dir: grouter configs and logs, the nodes' data and error logs "
                        "(the nodes are stopped)")
    p.add_argument("--json", metavar="PATH", help="also write the samples as JSON to PATH")
    args = p.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = sorted(set(args.scenarios) - set(kScenarios))
    if not args.scenarios:
        p.error("--scenarios names none")
    if unknown:
        p.error(f"unknown scenario(s): {', '.join(unknown)}")
    if args.runs < 1 or args.threads < 1 or args.catchup_rows < 1:
        p.error("--runs, --threads and --catchup-rows must be positive")
    return args


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ---- other processes on the machine

def cpu_ticks():
    """{pid: (utime + stime in clock ticks, comm, cmdline)} of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8",
                                                                                       "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        out[int(entry)] = (int(fields[11]) + int(fields[12]), stat[stat.find("(") + 1:stat.rfind(")")],
                           cmd.strip())
    return out


class CpuWatch:
    """CPU time used by processes that are not the benchmark's own (not this process, and no
    command line naming the work dir) between start() and foreign()."""

    def __init__(self, workdir):
        self.workdir = str(workdir)
        self.before = {}

    def start(self):
        self.before = cpu_ticks()

    def foreign(self):
        """[(cpu seconds, 'pid comm')] of other processes, largest first, over kForeignCpuWarnS/10."""
        hz = os.sysconf("SC_CLK_TCK")
        used = []
        for pid, (ticks, comm, cmd) in cpu_ticks().items():
            if pid == os.getpid() or self.workdir in cmd:
                continue
            seconds = (ticks - self.before.get(pid, (0,))[0]) / hz
            if seconds >= kForeignCpuWarnS / 10:
                used.append((round(seconds, 2), f"{pid} {comm}"))
        return sorted(used, reverse=True)


# ---- grouter's log

def log_lines_since(path, wall_t0):
    """[(wall time, line)] of grouter's log lines stamped at or after wall_t0 (the log has
    millisecond local times; 1 ms of slack)."""
    out = []
    for line in Path(path).read_text(errors="replace").splitlines():
        m = kLogTime.match(line)
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        if t >= wall_t0 - 0.001:
            out.append((t, line))
    return out


def first_line(lines, needle):
    """(wall time, line) of the first line containing needle, or (None, None)."""
    for t, line in lines:
        if needle in line:
            return t, line
    return None, None


def since(t, wall_t0):
    return None if t is None else round(t - wall_t0, 3)


# ---- one group: a sandbox, grouter over it, writers

class Group:
    def __init__(self, bench, name):
        self.bench, self.args, self.name = bench, bench.args, name
        self.dir = bench.workdir / name
        self.sandbox = FencedSandbox(self.dir / "sandbox", 3, self.args.base_port)
        self.grouter = None
        self.writers = []
        self.gone = set()   # addresses of members left in ERROR on purpose (errant, not merged)

    def open(self):
        log(f"[{self.name}] fenced sandbox on 127.0.0.1:{self.args.base_port}.. in {self.dir}")
        self.sandbox.create()
        sections = group_sections(self.sandbox, route_options={"max_connect_errors": 4294967295})
        # Sessions that should survive a failover: read/write splitting, terminated by grouter.
        sections["routing:rw"] = {"destinations": "metadata-cache://mygroup/?role=PRIMARY_AND_SECONDARY",
                                  "access_mode": "auto", "client_ssl_mode": "DISABLED",
                                  "server_ssl_mode": "DISABLED", "max_connect_errors": 4294967295}
        self.grouter = Grouter(self.dir / "grouter", sections, binary=self.args.grouter_bin).start()
        status = self.wait_all_online()
        log(f"[{self.name}] group formed, primary {member_address(primary_member(status))}; "
            f"primary route on 127.0.0.1:{self.grouter.route_port('primary')}")
        return self

    def close(self):
        for w in self.writers:
            if w.running():
                try:
                    w.stop()
                except AssertionError as err:
                    self.bench.problems.append(f"[{self.name}] {err}")
        if self.grouter is not None:
            self.grouter.cleanup()
        if self.args.keep:
            self.sandbox.run("stop", check=False)
        else:
            self.sandbox.destroy()

    # ---- helpers

    def node_name(self, member):
        return f"node{self.sandbox.node_of(member)}"

    def log_since(self, wall_t0):
        return log_lines_since(self.grouter.log_path, wall_t0)

    def wait_all_online(self):
        """Every member but the ones in self.gone ONLINE, with a primary."""
        addresses = [self.sandbox.addr(i) for i in range(1, self.sandbox.nodes + 1)
                     if self.sandbox.addr(i) not in self.gone]

        def ready(status):
            ok = status.get("primary") and all(
                (m := find_member(status, a)) is not None and m["member_state"] == "ONLINE"
                for a in addresses)
            return status if ok else None
        return wait_group(self.grouter, ready, self.args.timeout,
                          f"[{self.name}] every member ONLINE with a primary")

    def start_writer(self):
        w = RecordingWriter("127.0.0.1", self.grouter.route_port("primary"), USER, PASSWORD, kDb, kTable,
                            threads=self.args.threads, io_timeout=self.args.io_timeout)
        self.writers.append(w)
        return w.start()

    def acknowledged(self):
        return set().union(*(w.acknowledged() for w in self.writers))

    def open_sessions(self, count):
        """COUNT idle sessions on the read/write-splitting route, each with a user variable set
        (session state grouter must carry to a new primary)."""
        sessions = []
        for i in range(count):
            conn = mysql_connect("127.0.0.1", self.grouter.route_port("rw"), USER, PASSWORD, kDb,
                                 io_timeout=self.args.io_timeout)
            with conn.cursor() as cur:
                cur.execute(f"SET @session_no = {i}")
            sessions.append(conn)
        return sessions

    @staticmethod
    def surviving(sessions):
        """How many SESSIONS run a primary statement after the failover with their state, no
        error; closes them."""
        alive = 0
        for i, conn in enumerate(sessions):
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT @session_no FROM DUAL FOR UPDATE")
                    alive += cur.fetchone()[0] == i
            except pymysql.err.MySQLError:
                pass
            finally:
                conn.close()
        return alive

    def uncertain(self):
        return set().union(*(w.uncertain() for w in self.writers))

    def ids_on(self, member):
        return self.writers[-1].ids_in_table(host=member["member_host"], port=int(member["member_port"]))

    def check_present(self, member, when):
        """Every write acknowledged so far is on member -> (acknowledged count, missing count)."""
        acked = self.acknowledged()  # before reading the table: all of these must be in it
        missing = sorted(acked - self.ids_on(member))
        if missing:
            self.bench.problems.append(f"[{self.name}] {when}: {len(missing)} of {len(acked)} "
                                       f"acknowledged writes missing on {member_address(member)}, "
                                       f"first {missing[:10]}")
        return len(acked), len(missing)

    def final_check(self):
        """Every ONLINE member applied the primary's position, has every acknowledged write and the
        same checksum; nobody but self.gone is anything but ONLINE."""
        status = self.wait_all_online()
        primary = primary_member(status)
        target = gtid_positions(primary["member_host"], int(primary["member_port"]), USER,
                                PASSWORD)["gtid_binlog_pos"]
        sums, checked = {}, 0
        for m in status["members"]:
            if m["member_state"] != "ONLINE":
                if member_address(m) not in self.gone:
                    self.bench.problems.append(f"[{self.name}] at the end {member_address(m)} is "
                                               f"{m['member_state']}: {m['state_reason']}")
                continue
            host, port = m["member_host"], int(m["member_port"])
            wait_until(lambda: gtid_positions(host, port, USER, PASSWORD)["gtid_current_pos"] == target,
                       self.args.timeout, f"{host}:{port} to apply up to {target}")
            checked, _ = self.check_present(m, "at the end")
            sums[member_address(m)] = table_checksum(host, port, USER, PASSWORD, kDb, kTable)
        equal = len(set(sums.values())) == 1
        if not equal:
            self.bench.problems.append(f"[{self.name}] table checksums differ: {sums}")
        log(f"[{self.name}] final check: {len(sums)} ONLINE member(s) at {target}, "
            f"{checked} acknowledged writes on each, checksums {'equal' if equal else 'DIFFER'}")
        self.bench.final_checks.append({"group": self.name, "online": len(sums), "acked": checked,
                                        "gtid": target, "checksums_equal": equal})


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = Path(args.workdir or tempfile.mkdtemp(prefix="grouter-failover.")).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.samples = {s: [] for s in args.scenarios}
        self.problems = []
        self.notes = []
        self.final_checks = []
        self.writes = {}
        self.groups = []
        self.versions = {}
        self.cpu = CpuWatch(self.workdir)

    # ---- groups

    def open_group(self, name):
        g = Group(self, name)
        self.groups.append(g)
        g.open()
        if not self.versions:
            self.versions = {m["member_version"] for m in group_status(g.grouter)["members"]}
        return g

    def close_group(self, g):
        for w in g.writers:
            for key, value in w.counters().items():
                self.writes[key] = self.writes.get(key, 0) + value
        g.close()
        self.groups.remove(g)

    def cleanup(self):
        for g in list(self.groups):
            try:
                self.close_group(g)
            except Exception as err:  # noqa: BLE001 - keep stopping the rest
                self.problems.append(f"[{g.name}] clean-up: {err}")
        if not self.args.keep and not self.args.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # ---- runs

    def begin_run(self):
        self.cpu.start()

    def end_run(self, what, sample):
        foreign = self.cpu.foreign()
        busy = [f"{name} {seconds}s" for seconds, name in foreign if seconds >= kForeignCpuWarnS]
        if busy:
            sample["foreign_cpu"] = ", ".join(busy)
            self.notes.append(f"{what}: other processes used the CPU: {', '.join(busy)}")
            log(f"WARNING {what}: other processes used the CPU: {', '.join(busy)}")

    def failover_events(self, g, wall_t0, old, new):
        lines = g.log_since(wall_t0)
        old_id = old["member_id"]
        t_suspect, _ = first_line(lines, f"{g.node_name(old)} ({old_id}) suspected")
        t_expel, _ = first_line(lines, f"member {old_id} expelled")
        t_elect, _ = first_line(lines, f"group: primary {new['member_id']}:")
        return {"detect_s": since(t_suspect, wall_t0), "expel_s": since(t_expel, wall_t0),
                "elect_s": since(t_elect, wall_t0)}

    def settle(self, g, old):
        """After SIGCONT: waits until the old primary is ONLINE again or ERROR for errant
        transactions (its state right after the expel is ERROR 'unreachable' until grouter hears
        from it again) -> its member dict. Any other end is a problem."""
        def settled(m):
            return m is not None and (m["member_state"] == "ONLINE" or m["member_state"] == "ERROR"
                                      and "errant transactions" in m["state_reason"])
        try:
            return wait_member(g.grouter, old, settled, self.args.timeout,
                               f"{member_address(old)} to rejoin or to be ERROR for errant transactions")
        except AssertionError:
            m = find_member(group_status(g.grouter), old)
            self.problems.append(f"[{g.name}] the hung primary {member_address(old)} neither rejoined "
                                 f"nor was put in ERROR for errant transactions within "
                                 f"{self.args.timeout}s: {m}")
            raise

    def kill_run(self, g, writer):
        t_out = self.args.timeout
        old = primary_member(g.wait_all_online())
        node = g.sandbox.node_of(old)
        writer.wait_first_success_after(time.monotonic(), t_out)  # writes flow before
        sessions = g.open_sessions(kIdleSessions)
        pid = g.sandbox.pid(node)
        wall_t0, t0 = time.time(), time.monotonic()
        os.kill(pid, signal.SIGKILL)
        t1 = writer.wait_first_success_after(t0, t_out)
        new = wait_for_primary(g.grouter, t_out, exclude=[old])
        survived = g.surviving(sessions)
        errors = writer.errors_since(t0)
        acked, missing = g.check_present(new, f"kill: after the failover to {member_address(new)}")
        sample = {"failover_s": round(t1 - t0, 3), **self.failover_events(g, wall_t0, old, new),
                  "old_primary": member_address(old), "new_primary": member_address(new),
                  "acked": acked, "missing": missing,
                  "client_errors": len([e for e in errors if e.time <= t1]),
                  "sessions_survived": survived, "sessions": len(sessions)}
        wait_until(lambda: node not in g.sandbox.running(), t_out, f"node {node} to exit")
        t_start = time.monotonic()
        g.sandbox.start(node)  # returns once the node accepts connections (after crash recovery)
        t_accept = time.monotonic()
        try:
            wait_member_state(g.grouter, old, "ONLINE", t_out)
        except AssertionError as err:
            m = find_member(group_status(g.grouter), old)
            self.problems.append(f"[{g.name}] killed primary {member_address(old)} did not rejoin: "
                                 f"{m and m['member_state']} {m and m['state_reason']}")
            raise AssertionError(f"the killed primary did not rejoin: {err}") from None
        sample.update(restart_s=round(t_accept - t_start, 3),
                      rejoin_s=round(time.monotonic() - t_accept, 3))
        writer.wait_acknowledged(writer.counters()["acknowledged"] + kAfterWrites, t_out)
        return sample

    def stop_paused_run(self, g, writer):
        t_out = self.args.timeout
        old = primary_member(g.wait_all_online())
        node = g.sandbox.node_of(old)
        writer.wait_first_success_after(time.monotonic(), t_out)
        writer.pause()
        try:
            with stopped_process(g.sandbox.pid(node)):
                wall_t0, t0 = time.time(), time.monotonic()
                wait_member_state(g.grouter, old, "UNREACHABLE", t_out)
                t_resume = time.monotonic()
                writer.resume()
                t1 = writer.wait_first_success_after(t0, t_out)
                new = wait_for_primary(g.grouter, t_out, exclude=[old])
                t_cont = time.monotonic()
        finally:
            writer.resume()
        acked, missing = g.check_present(new, f"stop: after the failover to {member_address(new)}")
        sample = {"failover_s": round(t1 - t0, 3), **self.failover_events(g, wall_t0, old, new),
                  "resumed_s": round(t_resume - t0, 3),
                  "old_primary": member_address(old), "new_primary": member_address(new),
                  "acked": acked, "missing": missing}
        m = self.settle(g, old)
        sample.update(outcome=m["member_state"], settle_s=round(time.monotonic() - t_cont, 3))
        if m["member_state"] != "ONLINE":
            self.problems.append(f"[{g.name}] hung primary {member_address(old)} paused with nothing in "
                                 f"flight is {m['member_state']}: {m['state_reason']}")
            raise AssertionError("the hung primary did not rejoin")
        writer.wait_acknowledged(writer.counters()["acknowledged"] + kAfterWrites, t_out)
        return sample

    def stop_load_run(self, g):
        """One SIGSTOP under load on a fresh group g (closed by the caller)."""
        t_out = self.args.timeout
        writer = g.start_writer()
        writer.wait_acknowledged(kWarmupWrites, t_out)
        old = primary_member(g.wait_all_online())
        node = g.sandbox.node_of(old)
        writer.wait_first_success_after(time.monotonic(), t_out)
        with stopped_process(g.sandbox.pid(node)):
            wall_t0, t0 = time.time(), time.monotonic()
            t1 = writer.wait_first_success_after(t0, t_out)
            new = wait_for_primary(g.grouter, t_out, exclude=[old])
            t_cont = time.monotonic()
        acked, missing = g.check_present(new, f"stop: after the failover to {member_address(new)}")
        errors = writer.errors_since(t0)
        sample = {"failover_s": round(t1 - t0, 3), **self.failover_events(g, wall_t0, old, new),
                  "old_primary": member_address(old), "new_primary": member_address(new),
                  "acked": acked, "missing": missing,
                  "client_errors": len([e for e in errors if e.time <= t1])}
        m = self.settle(g, old)
        sample.update(outcome=m["member_state"], settle_s=round(time.monotonic() - t_cont, 3))
        if m["member_state"] == "ERROR":
            g.gone.add(member_address(old))
            sample["reason"] = m["state_reason"]
        writer.wait_acknowledged(writer.counters()["acknowledged"] + kAfterWrites, t_out)
        writer.stop()
        if m["member_state"] == "ERROR":
            # Rows only the old primary has: they must be writes no client was told succeeded.
            extra = g.ids_on(old) - g.ids_on(primary_member(group_status(g.grouter)))
            unacked = extra - g.uncertain()
            sample["errant_rows"] = len(extra)
            if extra & g.acknowledged() or unacked:
                self.problems.append(f"[{g.name}] rows only on the ERROR member {member_address(old)} "
                                     f"that were acknowledged or never sent: "
                                     f"{sorted(extra & g.acknowledged() or unacked)[:10]}")
        return sample

    def catchup_run(self, g, run):
        t_out = self.args.timeout
        status = g.wait_all_online()
        primary = primary_member(status)
        secondaries = sorted((m for m in status["members"]
                              if m["member_role"] == "SECONDARY" and m["member_state"] == "ONLINE"),
                             key=member_address)
        assert primary and secondaries, f"no primary or no ONLINE secondary: {status}"
        member = secondaries[run % len(secondaries)]
        address, node = member_address(member), g.sandbox.node_of(member)
        p_host, p_port = primary["member_host"], int(primary["member_port"])
        # Nothing is writing now: let the member apply everything first, so that `behind` counts
        # exactly what it misses while it is down (not its replication lag at the stop).
        before = gtid_positions(p_host, p_port, USER, PASSWORD)["gtid_current_pos"]
        wait_until(lambda: gtid_positions(member["member_host"], int(member["member_port"]), USER,
                                          PASSWORD)["gtid_current_pos"] == before,
                   t_out, f"{address} to apply up to {before}")
        g.sandbox.stop(node)
        wait_member_not_online(g.grouter, address, t_out)
        writer = g.start_writer()
        t_w = time.monotonic()
        writer.wait_acknowledged(self.args.catchup_rows, max(t_out, self.args.catchup_rows / 20))
        writer.stop()
        write_s = time.monotonic() - t_w
        behind = transactions_between(before, gtid_positions(p_host, p_port, USER, PASSWORD)
                                      ["gtid_current_pos"])
        wall_t0, t0 = time.time(), time.monotonic()
        g.sandbox.start(node)
        t_accept = time.monotonic()
        wait_member_state(g.grouter, address, "ONLINE", t_out)
        t1 = time.monotonic()
        lines = g.log_since(wall_t0)
        _, recovery = first_line(lines, f"recovery of {g.node_name(member)}: donor")
        _, caught = first_line(lines, f"{g.node_name(member)} caught up with donor")
        grouter_behind = re.search(r"\((\d+) transaction", recovery or "")
        recovery_ms = re.search(r" in (\d+) ms", caught or "")
        acked, missing = g.check_present(member, f"catchup: {address} after its return")
        return {"member": address, "behind": behind, "write_tps": round(behind / write_s),
                "grouter_behind": int(grouter_behind.group(1)) if grouter_behind else None,
                "start_to_online_s": round(t1 - t0, 3), "accept_to_online_s": round(t1 - t_accept, 3),
                "recovery_ms": int(recovery_ms.group(1)) if recovery_ms else None,
                "per_10k_s": round((t1 - t_accept) * 10000 / behind, 3),
                "acked": acked, "missing": missing}

    def record(self, scenario, i, sample):
        self.samples[scenario].append(sample)
        log(f"{scenario} {i + 1}/{self.args.runs}: {fmt(sample)}")

    def run(self):
        a = self.args
        stop_load = "stop" in a.scenarios and a.stop_mode == "load"
        if "kill" in a.scenarios or ("stop" in a.scenarios and not stop_load) or "catchup" in a.scenarios:
            g = self.open_group("main")
            if "kill" in a.scenarios or "stop" in a.scenarios and not stop_load:
                writer = g.start_writer()
                writer.wait_acknowledged(kWarmupWrites, a.timeout)
                for scenario in ("kill", "stop"):
                    if scenario not in a.scenarios or scenario == "stop" and stop_load:
                        continue
                    for i in range(a.runs):
                        self.begin_run()
                        sample = (self.kill_run if scenario == "kill" else self.stop_paused_run)(g, writer)
                        self.end_run(f"{scenario} {i + 1}", sample)
                        self.record(scenario, i, sample)
                writer.stop()
            if "catchup" in a.scenarios:
                for i in range(a.runs):
                    self.begin_run()
                    sample = self.catchup_run(g, i)
                    self.end_run(f"catchup {i + 1}", sample)
                    self.record("catchup", i, sample)
            g.final_check()
            self.close_group(g)
        if stop_load:
            for i in range(a.runs):
                g = self.open_group(f"stop{i + 1}")
                self.begin_run()
                sample = self.stop_load_run(g)
                self.end_run(f"stop {i + 1}", sample)
                self.record("stop", i, sample)
                g.final_check()
                self.close_group(g)

    # ---- output

    def machine(self):
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "?")
        mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                    if line.startswith("MemTotal")), "0")
        try:
            version = subprocess.run([self.args.grouter_bin, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.strip()
        except OSError:
            version = "?"
        try:
            rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                 capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            rev = "?"
        return {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "cores": os.cpu_count(),
                "cpu": cpu, "mem_gib": round(int(mem) / 1024 / 1024), "kernel": platform.release(),
                "grouter": version, "commit": rev, "storage": ", ".join(sorted(self.versions)),
                "threads": self.args.threads, "stop_mode": self.args.stop_mode}

    def report(self):
        machine = self.machine()
        print("machine: " + ", ".join(f"{k}={v}" for k, v in machine.items()))
        keys = {"kill": ("failover_s", "detect_s", "expel_s", "elect_s", "client_errors", "restart_s",
                         "rejoin_s", "sessions_survived"),
                "stop": ("failover_s", "detect_s", "expel_s", "elect_s", "client_errors", "settle_s",
                         "errant_rows"),
                "catchup": ("behind", "write_tps", "recovery_ms", "accept_to_online_s",
                            "start_to_online_s", "per_10k_s")}
        print(f"{'scenario':<8} {'measure':<19} {'median':>9} {'n':>3}  samples")
        for scenario, samples in self.samples.items():
            for key in keys[scenario]:
                values = [s[key] for s in samples if s.get(key) is not None]
                median = f"{statistics.median(values):9.3f}" if values else f"{'-':>9}"
                print(f"{scenario:<8} {key:<19} {median} {len(values):>3}  "
                      + " ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in values))
        for scenario, samples in self.samples.items():
            for i, s in enumerate(samples):
                print(f"run {scenario} {i + 1}: {fmt(s)}")
        for check in self.final_checks:
            print(f"final check [{check['group']}]: {check['online']} ONLINE member(s) at {check['gtid']} "
                  f"with all {check['acked']} acknowledged writes, checksums "
                  f"{'equal' if check['checksums_equal'] else 'DIFFER'}")
        print(f"writes: {json.dumps(self.writes)}")
        for note in self.notes:
            print(f"NOTE: {note}")
        for problem in self.problems:
            print(f"PROBLEM: {problem}")
        print("result: " + ("FAILED" if self.problems else "ok"))
        if self.args.json:
            Path(self.args.json).write_text(json.dumps(
                {"machine": machine, "samples": self.samples, "final_checks": self.final_checks,
                 "writes": self.writes, "notes": self.notes, "problems": self.problems}, indent=2))


def fmt(sample):
    return ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in sample.items())


def main(argv=None):
    args = parse_args(argv)
    bench = Bench(args)
    try:
        bench.run()
    except AssertionError as err:
        bench.problems.append(f"aborted: {err}")
    except subprocess.CalledProcessError as err:
        bench.problems.append(f"aborted: {' '.join(map(str, err.cmd))} failed: {err.stderr.strip()}")
    except KeyboardInterrupt:
        bench.problems.append("interrupted")
    finally:
        bench.cleanup()
    bench.report()
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
