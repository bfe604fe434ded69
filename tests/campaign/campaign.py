#!/usr/bin/python3
"""grouter's fault campaign, in Jepsen's manner, on real MariaDB nodes.

It creates a fenced sandbox of --nodes nodes (base port --base-port), starts grouter forming the
group over them, waits for a primary with every member ONLINE and runs a recording writer
(tests/integration/writer.py: autocommit single-row INSERTs) through the PRIMARY route for the
whole campaign. Then --faults randomized faults (random.Random(--seed); kinds in tests/campaign/
faults.py), each in four steps:

  1. inject the fault, hold it (a random time per kind), heal it (start killed nodes, SIGCONT hung
     ones, restore cuts);
  2. settle: wait (polling, bounded) until the group has a primary and every member is ONLINE, for
     2 s in a row (a restarted grouter shows its restored view before it probed the nodes). A
     member ERROR for errant transactions is rebuilt from the primary and grouter restarted (the
     operator's documented fix). No primary for more than 60 s after healing counts as "waited
     for the operator": with POST /api/v1/group/force_members available, the ONLINE and RECOVERING
     members are forced (what it answers is kept as may_lose), else grouter is restarted;
  3. measure: time without a primary (from the fault to the first acknowledged write sent after
     it), whether the primary changed, whether the group waited for the operator (GET
     /api/v1/group's "failover" field, when grouter has it, is recorded as seen);
  4. check, with the writer paused: every write acknowledged so far is on the current primary (ids
     missing for the first time are LOST and charged to this fault), and every ONLINE member,
     once it applied the primary's GTID position, has the primary's table checksum.

A member cut off from the primary only: the replication account is locked on the primary for new
connections and the member's Binlog Dump thread killed (cluster.py explains why and how).

At the end the writer stops and the checks run once more. Outputs in --out: results.json and
summary.md. Exit status 1 when an acknowledged write was lost or a check failed.

Run: tests/campaign/campaign.py --nodes 3 --faults 20 --seed 1 --out /tmp/campaign3
"""
import argparse
import datetime
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import faults as fault_kinds  # noqa: E402
import report  # noqa: E402
from cluster import ROOT, Cluster, describe, now, primary_node  # noqa: E402
from group_harness import primary_member  # noqa: E402
from harness import GROUTER_BIN, wait_until  # noqa: E402
from writer import gtid_seq_nos  # noqa: E402

kOperatorAfterS = 60.0     # no primary this long after healing: the group waits for the operator
kPollS = 0.2
kStableS = 2.0             # healthy this long in a row: a restarted grouter first shows its restored view
kWarmupWrites = 200
kFlowWrites = 20           # acknowledged writes that must follow every fault
kMaxAbortsInRow = 3


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, choices=(3, 5), default=3)
    p.add_argument("--faults", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, help="directory for results.json and summary.md")
    p.add_argument("--base-port", type=int, default=4500, help="the sandbox's first port (default 4500)")
    p.add_argument("--kinds", help="comma-separated fault kinds (default all): "
                                   + ", ".join(fault_kinds.KINDS))
    p.add_argument("--threads", type=int, default=4, help="writer threads (default 4)")
    p.add_argument("--rate", type=float,
                   help="at most this many writes started per second, all threads together (default: "
                        "unlimited). On few cores an unthrottled writer lets replicas fall far behind "
                        "and a killed secondary then takes minutes to rejoin")
    p.add_argument("--settle-timeout", type=float, default=180,
                   help="bound in seconds on the wait for a healthy group after healing (default 180)")
    p.add_argument("--grouter-bin", default=GROUTER_BIN)
    p.add_argument("--workdir", help="sandbox and grouter files (default: a temp dir, removed)")
    args = p.parse_args(argv)
    if args.kinds:
        args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
        unknown = set(args.kinds) - set(fault_kinds.KINDS)
        if unknown or not args.kinds:
            p.error(f"unknown fault kinds: {sorted(unknown)}")
    if args.faults < 1:
        p.error("--faults must be positive")
    if args.rate is not None and args.rate <= 0:
        p.error("--rate must be positive")
    return args


def log(message):
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"campaign {stamp}: {message}", file=sys.stderr, flush=True)


def online_primary(status):
    """The primary's member dict when the group has an ONLINE primary, else None."""
    p = primary_member(status) if status else None
    return p if p and p["member_state"] == "ONLINE" else None


def covers(position, target):
    """True when GTID position covers target in every domain."""
    have = gtid_seq_nos(position)
    return all(have.get(domain, -1) >= seq for domain, seq in gtid_seq_nos(target).items())


class Campaign:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.workdir = Path(args.workdir or tempfile.mkdtemp(prefix="grouter-campaign."))
        self.cluster = Cluster(self.workdir, args.nodes, args.base_port, threads=args.threads,
                               rate=args.rate, grouter_bin=args.grouter_bin)
        self.faults = []         # one record (dict) per fault
        self.lost = {}           # id -> "fault N (kind)" where it was first found missing
        self.problems = []
        self.final = None
        self.t_start = now()
        self.binary_mtime = time.ctime(Path(args.grouter_bin).stat().st_mtime)

    # ---- the run

    def run(self):
        log(f"{self.args.nodes} nodes on 127.0.0.1:{self.args.base_port}.., work dir {self.workdir}")
        self.cluster.open(timeout_s=120)
        log(f"group formed: {describe(self.cluster.status())}")
        self.cluster.writer.wait_acknowledged(kWarmupWrites, 60)
        aborts = 0
        for index, kind in enumerate(fault_kinds.schedule(self.rng, self.args.faults, self.args.kinds), 1):
            try:
                self.one_fault(index, kind)
                aborts = 0
            except Exception as err:  # noqa: BLE001 - recorded; the campaign goes on while it can
                aborts += 1
                self.problems.append(f"fault {index} ({kind}) aborted: {err}")
                log(f"fault {index} ({kind}) ABORTED: {err}\n{traceback.format_exc()}")
                if aborts >= kMaxAbortsInRow:
                    self.problems.append(f"{aborts} faults in a row aborted: campaign stopped")
                    break
        self.final_check()

    def one_fault(self, index, kind):
        status = self.ready_status()
        kind = self.applicable_kind(kind, status)
        rec = {"index": index, "kind": kind, "primary_before": status.get("primary")}
        self.faults.append(rec)
        rec["max_acked_before"] = max(self.cluster.writer.acknowledged(), default=0)
        fault = fault_kinds.KINDS[kind](self.cluster, self.rng, status)
        rec.update(kind=fault.kind, targets=fault.targets, hold_s=round(fault.hold_s, 2),
                   t_fault_s=round(fault.t0 - self.t_start, 2), notes=fault.notes,
                   primaries_seen=[], failover_states=[], reprovisioned=[], check_failures=[])
        log(f"fault {index}: {kind} {fault.targets} hold {fault.hold_s:.1f}s")
        self.hold(fault, rec)
        self.heal(fault, rec)
        self.settle(fault, rec)
        self.measure(fault, rec)
        self.check(rec)
        self.wait_writes_flow(rec)
        self.log_fault(rec)

    def ready_status(self):
        """The group status, waiting up to 60 s for a healthy group (a degraded one is used after)."""
        deadline = now() + 60
        status = None
        while now() < deadline:
            status = self.cluster.status()
            if self.cluster.healthy(status):
                return status
            time.sleep(kPollS)
        if not status or not status.get("primary"):
            raise AssertionError(f"no primary to inject a fault into: {describe(status)}")
        return status

    def applicable_kind(self, kind, status):
        if fault_kinds.applicable(kind, self.cluster, status):
            return kind
        others = [k for k in (self.args.kinds or fault_kinds.KINDS)
                  if fault_kinds.applicable(k, self.cluster, status)]
        if not others:
            raise AssertionError(f"no fault kind applies to the group now: {describe(status)}")
        replacement = self.rng.choice(others)
        log(f"{kind} does not apply now ({describe(status)}): {replacement} instead")
        return replacement

    # ---- steps of one fault

    def observe(self, rec):
        """One poll of the group: records the primaries and failover states seen -> the status."""
        status = self.cluster.status()
        if status:
            if status.get("primary") and status["primary"] not in rec["primaries_seen"]:
                rec["primaries_seen"].append(status["primary"])
            failover = status.get("failover")
            if failover and failover.get("state") not in [s.get("state") for s in rec["failover_states"]]:
                rec["failover_states"].append(failover)
        return status

    def hold(self, fault, rec):
        """Keeps the fault for fault.hold_s (from t0), watching the group meanwhile."""
        while now() < fault.t0 + fault.hold_s:
            self.observe(rec)
            time.sleep(kPollS)

    def heal(self, fault, rec):
        for what, step in fault.heal:
            try:
                step()
            except Exception as err:  # noqa: BLE001 - try the others; settle reports the outcome
                self.problems.append(f"fault {rec['index']}: healing '{what}' failed: {err}")
        self.restart_grouter_if_crashed(rec)

    def restart_grouter_if_crashed(self, rec):
        code = self.cluster.grouter_crashed()
        if code is not None:
            rec.setdefault("grouter_crashes", []).append(code)
            tail = "\n".join(self.cluster.grouter.log().splitlines()[-3:])
            self.problems.append(f"fault {rec['index']}: grouter exited by itself with {code}; its log "
                                 f"ended with:\n{tail}")
            log(f"fault {rec['index']}: GROUTER EXITED BY ITSELF with {code}: restarting it")
            self.cluster.restart_grouter()

    def settle(self, fault, rec):
        """Waits for a primary with every member ONLINE; repairs what an operator would."""
        t_heal = now()
        last_primary = t_heal
        deadline = t_heal + self.args.settle_timeout
        extended = False
        healthy_since = None
        while True:
            self.restart_grouter_if_crashed(rec)
            status = self.observe(rec)
            if not self.cluster.healthy(status):
                healthy_since = None
            elif healthy_since is None:
                healthy_since = now()
            elif now() - healthy_since >= kStableS:
                rec.update(settled=True, settle_s=round(healthy_since - t_heal, 2))
                return
            if online_primary(status):
                last_primary = now()
                self.rebuild_errant(status, rec)
            elif now() - last_primary > kOperatorAfterS and not rec.get("operator_done"):
                self.operator(status, rec)
                last_primary = now()
            if now() > deadline:
                if extended or not self.rebuild_errors(status, rec):
                    rec.update(settled=False, state_at_end=describe(status))
                    rec["check_failures"].append(f"not healed within {self.args.settle_timeout}s: "
                                                 f"{describe(status)}")
                    return
                extended, deadline = True, now() + 60
            time.sleep(kPollS)

    def rebuild_errant(self, status, rec):
        """Rebuilds every member in ERROR for errant transactions (once per fault)."""
        errant = [m for m in status["members"] if m["member_state"] == "ERROR"
                  and "errant" in (m.get("state_reason") or "")]
        self.rebuild(status, errant, rec)

    def rebuild_errors(self, status, rec):
        """Last resort after the settle bound: rebuilds every running member still in ERROR."""
        if not status or not status.get("primary"):
            return False
        stuck = [m for m in status["members"] if m["member_state"] == "ERROR"
                 and self.cluster.node(m) in self.cluster.sandbox.running()]
        return self.rebuild(status, stuck, rec)

    def rebuild(self, status, members, rec):
        p = primary_node(self.cluster, status)
        done = False
        for m in members:
            node = self.cluster.node(m)
            if node in rec["reprovisioned"]:
                continue
            rec["reprovisioned"].append(node)
            self.record_errant_rows(node, p, m, rec)
            log(f"fault {rec['index']}: rebuilding node{node} from node{p} ({m['state_reason'][:160]})")
            self.cluster.reprovision(node, p)
            done = True
        return done

    def record_errant_rows(self, node, p, member, rec):
        """Rows on node that the primary lacks: acknowledged ones are already lost; rejected ones
        (the client was told they failed) are a problem."""
        try:
            extra = self.cluster.ids_on(node) - self.cluster.ids_on(p)
        except Exception as err:  # noqa: BLE001
            rec["notes"].append(f"node{node}: rows not readable before the rebuild: {err}")
            return
        rejected = {e.id for e in self.cluster.writer.errors if e.outcome == "rejected"} & extra
        acked = self.cluster.writer.acknowledged() & extra
        rec["notes"].append(f"node{node} ERROR ({member['state_reason'][:100]}): {len(extra)} row(s) "
                            f"the primary lacks, {len(acked)} of them acknowledged")
        if rejected:
            rec["check_failures"].append(f"node{node} has rows the writer saw rejected: {sorted(rejected)[:10]}")

    def operator(self, status, rec):
        """No ONLINE primary for kOperatorAfterS after healing. A group waiting (failover state
        "waiting", or no primary with grouter not saying why): force_members with the ONLINE and
        RECOVERING members (grouter restarted when the endpoint is missing). Any other state (a
        primary that stays UNREACHABLE, a failover running for a minute) is stuck: a failed check,
        and grouter is restarted."""
        rec["operator_done"] = True
        failover = (status or {}).get("failover")
        rec["failover_at_operator"] = failover
        waiting = (failover or {}).get("state") == "waiting" or (
            status is not None and not status.get("primary") and not failover)
        if not waiting:
            rec["stuck"] = describe(status)
            rec["check_failures"].append(f"no ONLINE primary {kOperatorAfterS:.0f}s after healing and the group "
                                         f"is not waiting for the operator ({describe(status)}): "
                                         "grouter restarted")
            log(f"fault {rec['index']}: STUCK ({describe(status)}): restarting grouter")
            self.cluster.restart_grouter()
            return
        rec["waited_for_operator"] = True
        self.force_members(status, rec)

    def force_members(self, status, rec):
        members = [m["member_id"] for m in (status or {}).get("members", [])
                   if m["member_state"] in ("ONLINE", "RECOVERING")]
        try:
            code, body = self.cluster.force_members(members)
        except OSError as err:
            code, body = None, str(err)
        if code == 200:
            rec["forced"] = {"members": members, "answer": body,
                             "may_lose": body.get("may_lose") if isinstance(body, dict) else None}
            log(f"fault {rec['index']}: WAITED FOR THE OPERATOR ({describe(status)}); "
                f"force_members {members}: {body}")
        else:
            rec["operator_action"] = f"force_members answered {code} {body}: grouter restarted"
            log(f"fault {rec['index']}: WAITED FOR THE OPERATOR ({describe(status)}); "
                f"force_members: {code} {body}; restarting grouter")
            self.cluster.restart_grouter()

    def measure(self, fault, rec):
        writer = self.cluster.writer
        try:
            t1 = writer.wait_first_success_after(fault.t0, 60)
            rec["no_primary_s"] = round(t1 - fault.t0, 3)
        except AssertionError:
            rec["no_primary_s"] = None
            rec["check_failures"].append("no acknowledged write within 60 s after settling")
        rec["failover"] = any(p != rec["primary_before"] for p in rec["primaries_seen"])
        rec["primary_after"] = (self.cluster.status() or {}).get("primary")

    def check(self, rec):
        """With the writer paused: acknowledged writes on the primary, equal checksums."""
        status = self.cluster.status()
        p = primary_node(self.cluster, status)
        if p is None:
            rec["check_failures"].append(f"check: no primary ({describe(status)})")
            return
        writer = self.cluster.writer
        try:
            writer.pause(30)
        except AssertionError as err:
            writer.resume()
            rec["check_failures"].append(f"check skipped: {err}")
            return
        try:
            self.check_present(p, rec)
            self.check_checksums(status, p, rec)
        finally:
            writer.resume()

    def check_present(self, p, rec):
        acked = self.cluster.writer.acknowledged()
        missing = acked - self.cluster.ids_on(p)
        new = sorted(missing - self.lost.keys())
        for i in new:
            self.lost[i] = f"fault {rec['index']} ({rec['kind']})"
        rec["lost_ids"] = new
        rec["acked_checked"], rec["missing_total"] = len(acked), len(missing)
        if new:
            log(f"LOST: {len(new)} acknowledged write(s) missing on the primary node{p} after fault "
                f"{rec['index']} ({rec['kind']}, {rec['targets']}): ids {report.compact(new)} "
                f"(acknowledged up to id {rec.get('max_acked_before')} before the fault)")

    def check_checksums(self, status, p, rec):
        target = self.cluster.positions(p)["gtid_binlog_pos"]
        sums = {}
        for m in status["members"]:
            node = self.cluster.node(m)
            if m["member_state"] != "ONLINE":
                rec["notes"].append(f"node{node} was {m['member_state']} at the check: not compared")
                continue
            try:
                wait_until(lambda: covers(self.cluster.positions(node)["gtid_current_pos"], target), 60,
                           f"node{node} to apply up to {target}")
                sums[node] = self.cluster.checksum(node)
            except Exception as err:  # noqa: BLE001
                rec["check_failures"].append(f"checksum of node{node}: {err}")
        rec["checksums"] = {f"node{n}": s for n, s in sums.items()}
        if len(set(sums.values())) > 1:
            rec["check_failures"].append(f"table checksums differ at {target}: {rec['checksums']}")

    def wait_writes_flow(self, rec):
        writer = self.cluster.writer
        try:
            writer.wait_acknowledged(writer.counters()["acknowledged"] + kFlowWrites, 60)
        except AssertionError as err:
            rec["check_failures"].append(f"writes do not flow after the fault: {err}")

    def log_fault(self, rec):
        for failure in rec["check_failures"]:
            self.problems.append(f"fault {rec['index']} ({rec['kind']}): {failure}")
        if rec.get("lost_ids"):
            self.problems.append(f"fault {rec['index']} ({rec['kind']}, {rec['targets']}): "
                                 f"{len(rec['lost_ids'])} acknowledged write(s) LOST: "
                                 f"{report.compact(rec['lost_ids'])}")
        log(f"fault {rec['index']} {rec['kind']}: no primary {rec.get('no_primary_s')}s, failover "
            f"{rec['failover']}, settled {rec.get('settle_s')}s, rebuilt {rec['reprovisioned']}, "
            f"lost {len(rec.get('lost_ids', []))}, failed checks {rec['check_failures']}"
            + (", WAITED FOR THE OPERATOR" if rec.get("waited_for_operator") else ""))

    def final_check(self):
        """Writer stopped, group settled: the checks once more over everything written."""
        self.cluster.writer.stop()
        rec = {"index": "final", "kind": "final", "targets": {}, "check_failures": [], "primaries_seen": [],
               "failover_states": [], "reprovisioned": [], "notes": []}
        fault = fault_kinds.Fault("final", {}, t0=now())
        self.settle(fault, rec)
        self.check(rec)
        self.final = {"settled": rec.get("settled"), "acked_checked": rec.get("acked_checked"),
                      "missing_on_primary": rec.get("missing_total"), "new_lost": rec.get("lost_ids", []),
                      "checksums": rec.get("checksums"), "check_failures": rec["check_failures"]}
        for failure in rec["check_failures"]:
            self.problems.append(f"final check: {failure}")
        if rec.get("lost_ids"):
            self.problems.append(f"final check: {len(rec['lost_ids'])} more acknowledged write(s) LOST: "
                                 f"{report.compact(rec['lost_ids'])}")
        log(f"final check: {self.final}")

    # ---- outputs

    def config(self):
        def out(*cmd):
            try:
                return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
            except OSError:
                return "?"
        return {"nodes": self.args.nodes, "faults": self.args.faults, "seed": self.args.seed,
                "base_port": self.args.base_port, "threads": self.args.threads, "rate": self.args.rate,
                "kinds": self.args.kinds or list(fault_kinds.KINDS),
                "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
                "grouter_version": out(self.args.grouter_bin, "--version"),
                "grouter_binary_mtime": self.binary_mtime,
                "commit": out("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
                "duration_s": round(now() - self.t_start, 1)}

    def write_outputs(self):
        counts = self.cluster.writer.counters() if self.cluster.writer else {}
        return report.write(self.args.out, self.config(), self.faults, counts, self.lost, self.final,
                            self.problems)

    def close(self):
        try:
            self.cluster.close()
            log_path = self.workdir / "grouter" / "grouter.log"
            if log_path.exists():
                shutil.copy(log_path, Path(self.args.out) / "grouter.log")
        finally:
            if not self.args.workdir:
                subprocess.run(["rm", "-rf", str(self.workdir)], check=False)


def main(argv=None):
    args = parse_args(argv)
    campaign = Campaign(args)
    try:
        campaign.run()
    except KeyboardInterrupt:
        campaign.problems.append("interrupted")
    except Exception as err:  # noqa: BLE001 - reported below with what was gathered
        campaign.problems.append(f"campaign aborted: {err}")
        log(traceback.format_exc())
    finally:
        summary = campaign.write_outputs()
        campaign.close()
    print(summary)
    return 1 if campaign.problems or campaign.lost else 0


if __name__ == "__main__":
    sys.exit(main())
