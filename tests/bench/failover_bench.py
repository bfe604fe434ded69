#!/usr/bin/python3
"""grouter's failover benchmark: prints numbers, is not a test (run it by hand).

On its own fenced 3-node sandbox (base port 3390) it starts grouter with a group over the nodes and a
recording writer (tests/integration/writer.py) through the group's primary route, then measures:

  kill   RUNS times: SIGKILL the primary (found over REST); failover = time from the signal to the
         first acknowledged write through the primary route that started after it; then the node is
         restarted and rejoin = time until it is ONLINE again.
  stop   the same with SIGSTOP (a hung primary); SIGCONT once the new primary is elected; rejoin =
         time from SIGCONT until it is ONLINE again.
  catchup RUNS times: stop a secondary cleanly, write ROWS rows, start it; time until ONLINE, also
         scaled to seconds per 10k transactions behind (counted from the primary's GTID positions).

After every failover it checks that every acknowledged write is on the new primary, and at the end
that every ONLINE member has the same table checksum. It prints all samples and medians and exits 1
when a check failed or a run could not finish. Everything it starts is stopped by pid on exit.
"""
import argparse
import json
import os
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
                           wait_member_not_online, wait_member_state)
from harness import GROUTER_BIN, Grouter, wait_until  # noqa: E402
from writer import RecordingWriter, gtid_positions, table_checksum, transactions_between  # noqa: E402

kScenarios = ("kill", "stop", "catchup")
kTable = "failover_bench"
kDb = "test"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="runs of each scenario (default 5)")
    p.add_argument("--scenarios", default=",".join(kScenarios),
                   help=f"comma-separated, of {', '.join(kScenarios)} (default all)")
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
    p.add_argument("--workdir", help="where the sandbox and grouter live (default: a new temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work dir (the sandbox is stopped)")
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


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = Path(args.workdir or tempfile.mkdtemp(prefix="grouter-failover."))
        self.sandbox = FencedSandbox(self.workdir / "sandbox", 3, args.base_port)
        self.grouter = None
        self.writers = []
        self.samples = {s: [] for s in args.scenarios}
        self.problems = []

    # ---- set-up and tear-down

    def setup(self):
        log(f"fenced sandbox on 127.0.0.1:{self.args.base_port}.. in {self.workdir}")
        self.sandbox.create()
        sections = group_sections(self.sandbox, route_options={"max_connect_errors": 4294967295})
        self.grouter = Grouter(self.workdir / "grouter", sections, binary=self.args.grouter_bin).start()
        primary = wait_for_primary(self.grouter, self.args.timeout)
        log(f"group formed, primary {member_address(primary)}; primary route on "
            f"127.0.0.1:{self.grouter.route_port('primary')}")

    def cleanup(self):
        for w in self.writers:
            if w.running():
                try:
                    w.stop()
                except AssertionError as err:
                    self.problems.append(str(err))
        if self.grouter is not None:
            self.grouter.cleanup()
        if self.args.keep:
            self.sandbox.run("stop", check=False)
        else:
            self.sandbox.destroy()
        if not self.args.keep and not self.args.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def start_writer(self):
        w = RecordingWriter("127.0.0.1", self.grouter.route_port("primary"), USER, PASSWORD, kDb, kTable,
                            threads=self.args.threads, io_timeout=self.args.io_timeout)
        self.writers.append(w)
        return w.start()

    # ---- checks

    def acknowledged(self):
        return set().union(*(w.acknowledged() for w in self.writers))

    def check_present(self, member, when):
        """Every write acknowledged so far is in the table on member."""
        host, port = member["member_host"], int(member["member_port"])
        missing = sorted(self.acknowledged() - self.writers[-1].ids_in_table(host=host, port=port))
        if missing:
            self.problems.append(f"{when}: {len(missing)} acknowledged writes missing on "
                                 f"{host}:{port}, first {missing[:10]}")

    def final_check(self):
        status = group_status(self.grouter)
        primary = primary_member(status)
        self.check_present(primary, "at the end")
        p_host, p_port = primary["member_host"], int(primary["member_port"])
        target = gtid_positions(p_host, p_port, USER, PASSWORD)["gtid_binlog_pos"]
        sums = {}
        for m in status["members"]:
            if m["member_state"] != "ONLINE":
                self.problems.append(f"at the end {member_address(m)} is {m['member_state']}")
                continue
            host, port = m["member_host"], int(m["member_port"])
            wait_until(lambda: gtid_positions(host, port, USER, PASSWORD)["gtid_current_pos"] == target,
                       self.args.timeout, f"{host}:{port} to apply up to {target}")
            sums[member_address(m)] = table_checksum(host, port, USER, PASSWORD, kDb, kTable)
        if len(set(sums.values())) != 1:
            self.problems.append(f"table checksums differ: {sums}")

    # ---- scenarios

    def failover_run(self, kind):
        """One kill or stop of the primary; records and returns the sample."""
        t_out = self.args.timeout
        writer = self.writers[-1]
        old = wait_for_primary(self.grouter, t_out)
        node = self.sandbox.node_of(old)
        writer.wait_first_success_after(time.monotonic(), t_out)  # writes flow before
        pid = self.sandbox.pid(node)
        if kind == "kill":
            t0 = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            t1 = writer.wait_first_success_after(t0, t_out)
            new = wait_for_primary(self.grouter, t_out, exclude=[old])
            wait_until(lambda: node not in self.sandbox.running(), t_out, f"node {node} to exit")
            t_back = time.monotonic()
            self.sandbox.start(node)
        else:
            with stopped_process(pid):
                t0 = time.monotonic()
                t1 = writer.wait_first_success_after(t0, t_out)
                new = wait_for_primary(self.grouter, t_out, exclude=[old])
            t_back = time.monotonic()  # SIGCONT
        self.check_present(new, f"{kind}: after the failover to {member_address(new)}")
        sample = {"failover_s": t1 - t0, "old_primary": member_address(old),
                  "new_primary": member_address(new)}
        self.samples[kind].append(sample)  # kept even when the rejoin below does not finish
        sample.update(self.bring_back(node, member_address(old), t_back))
        return sample

    def bring_back(self, node, address, t_back):
        """Waits until the member at address is ONLINE again. A member left in ERROR (a hung
        primary may hold binlogged transactions no one acknowledged) is restarted by SIGKILL and
        start, whose crash recovery trims them, once."""
        try:
            wait_member_state(self.grouter, address, "ONLINE", self.args.timeout)
            return {"rejoin_s": time.monotonic() - t_back}
        except AssertionError:
            m = find_member(group_status(self.grouter), address)
            if m is None or m["member_state"] != "ERROR":
                raise
        note = f"ERROR ({m['state_reason']}); restarted"
        log(f"{address}: {note}")
        self.sandbox.kill(node)
        self.sandbox.start(node)
        wait_member_state(self.grouter, address, "ONLINE", self.args.timeout)
        return {"rejoin_s": time.monotonic() - t_back, "note": note}

    def catchup_run(self, run):
        t_out = self.args.timeout
        status = group_status(self.grouter)
        primary = primary_member(status)
        secondaries = sorted((m for m in status["members"]
                              if m["member_role"] == "SECONDARY" and m["member_state"] == "ONLINE"),
                             key=member_address)
        assert primary and secondaries, f"no primary or no ONLINE secondary: {status}"
        member = secondaries[run % len(secondaries)]
        address, node = member_address(member), self.sandbox.node_of(member)
        p_host, p_port = primary["member_host"], int(primary["member_port"])
        self.sandbox.stop(node)
        wait_member_not_online(self.grouter, address, t_out)
        before = gtid_positions(p_host, p_port, USER, PASSWORD)["gtid_current_pos"]
        writer = self.start_writer()
        writer.wait_acknowledged(self.args.catchup_rows, max(t_out, self.args.catchup_rows / 20))
        writer.stop()
        behind = transactions_between(before, gtid_positions(p_host, p_port, USER, PASSWORD)
                                      ["gtid_current_pos"])
        t0 = time.monotonic()
        self.sandbox.start(node)
        t_accept = time.monotonic()
        wait_member_state(self.grouter, address, "ONLINE", t_out)
        t1 = time.monotonic()
        return {"member": address, "behind": behind, "start_to_online_s": t1 - t0,
                "accept_to_online_s": t1 - t_accept, "per_10k_s": (t1 - t_accept) * 10000 / behind}

    def run(self):
        self.setup()
        failovers = [s for s in self.args.scenarios if s in ("kill", "stop")]
        if failovers:
            writer = self.start_writer()
            for kind in failovers:
                for i in range(self.args.runs):
                    sample = self.failover_run(kind)
                    log(f"{kind} {i + 1}/{self.args.runs}: {fmt(sample)}")
            writer.stop()
        if "catchup" in self.args.scenarios:
            for i in range(self.args.runs):
                sample = self.catchup_run(i)
                log(f"catchup {i + 1}/{self.args.runs}: {fmt(sample)}")
                self.samples["catchup"].append(sample)
        self.final_check()

    # ---- output

    def report(self):
        keys = {"kill": ("failover_s", "rejoin_s"), "stop": ("failover_s", "rejoin_s"),
                "catchup": ("behind", "accept_to_online_s", "start_to_online_s", "per_10k_s")}
        print(f"{'scenario':<8} {'measure':<20} {'median':>9} {'n':>3}  samples")
        for scenario, samples in self.samples.items():
            for key in keys[scenario]:
                values = [s[key] for s in samples if key in s]
                median = f"{statistics.median(values):9.3f}" if values else f"{'-':>9}"
                print(f"{scenario:<8} {key:<20} {median} {len(values):>3}  "
                      + " ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in values))
        totals = {}
        for w in self.writers:
            for key, value in w.counters().items():
                totals[key] = totals.get(key, 0) + value
        print(f"writes: {json.dumps(totals)}")
        for problem in self.problems:
            print(f"PROBLEM: {problem}")
        print("result: " + ("FAILED" if self.problems else "ok"))
        if self.args.json:
            Path(self.args.json).write_text(json.dumps(
                {"samples": self.samples, "writes": totals, "problems": self.problems}, indent=2))


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
