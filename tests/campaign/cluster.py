"""The system under test of the fault campaign: a fenced sandbox of MariaDB nodes, one grouter forming
the group over them, and a recording writer through the group's primary route; plus every action
the campaign takes on them (faults, healing, an operator's repairs) and the reads its checks need.

Processes are signalled only by the pid this module started (grouter) or the sandbox recorded (the
nodes). Every wait polls a condition with a deadline (harness.wait_until); nothing sleeps to
synchronise.

How a member is cut off from the primary only (everything runs on 127.0.0.1, so no packet filter can
tell one member's connection from another's): on the primary, with sql_log_bin=0, the replication
account is locked for new connections (`ALTER USER 'repl'@'%' ACCOUNT LOCK`: sessions already
authenticated go on), and the member's `Binlog Dump` thread is killed. The member's thread is found
through /proc: the TCP connection owned by the member's mariadbd whose remote port is the primary's
gives the local port, which the primary's PROCESSLIST shows as HOST 127.0.0.1:PORT. The member's
receiver then reconnects every second and is refused (error 4151), while grouter still probes it and
the other members keep replicating over their open connections. Healing unlocks the account.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from clients import PASSWORD, USER  # noqa: E402
from group_harness import (FencedSandbox, force_members, group_sections, member_address,  # noqa: E402
                           primary_member, try_group_status)
from harness import GROUTER_BIN, Grouter, wait_until  # noqa: E402
from writer import RecordingWriter, gtid_positions, gtid_seq_nos, mysql_connect, table_checksum  # noqa: E402

kDb = "test"
kTable = "campaign"
kAdmin = ("admin", "admin_pw")
kReplAccount = "'repl'@'%'"
kBinaryWaitS = 300      # grouter's binary may be briefly missing while another engineer rebuilds it


class Cluster:
    """A fenced sandbox of `nodes` nodes in workdir/sandbox (base_port..), grouter in workdir/grouter,
    and a RecordingWriter of `threads` threads through the primary route (at most `rate` INSERTs a
    second when given)."""

    def __init__(self, workdir, nodes, base_port, *, threads=4, rate=None, io_timeout=15.0,
                 grouter_bin=GROUTER_BIN):
        self.workdir = Path(workdir)
        self.sandbox = FencedSandbox(self.workdir / "sandbox", nodes, base_port)
        self.grouter_bin = grouter_bin
        self.grouter = None
        self.writer = None
        self.threads, self.rate, self.io_timeout = threads, rate, io_timeout
        self.locked_on = set()   # nodes where the replication account is locked (a cut)

    # ---- lifecycle

    def open(self, timeout_s):
        """Creates the sandbox, starts grouter, waits for a full group, starts the writer."""
        self.sandbox.create()
        sections = group_sections(self.sandbox, route_options={"max_connect_errors": 4294967295})
        self.grouter = Grouter(self.workdir / "grouter", sections, binary=self.grouter_bin)
        self._start_grouter()
        wait_until(lambda: self.healthy(self.status()), timeout_s, "a primary with every member ONLINE")
        self.writer = RecordingWriter("127.0.0.1", self.grouter.route_port("primary"), USER, PASSWORD,
                                      kDb, kTable, threads=self.threads, io_timeout=self.io_timeout,
                                      rate=self.rate)
        self.writer.start()

    def close(self):
        """Stops the writer and grouter and destroys the sandbox, whatever state they are in."""
        if self.writer is not None and self.writer.running():
            try:
                self.writer.stop()
            except AssertionError:
                pass
        for node in range(1, self.sandbox.nodes + 1):
            self.resume(node)   # a stopped node cannot be shut down
        if self.grouter is not None:
            self.grouter.cleanup()
        self.sandbox.destroy()

    # ---- grouter

    def _start_grouter(self):
        wait_until(lambda: Path(self.grouter_bin).exists(), kBinaryWaitS, f"{self.grouter_bin} to exist")
        self.grouter.start(ready_timeout_s=30)

    def kill_grouter(self):
        """SIGKILL grouter and reap it."""
        if self.grouter.alive():
            self.grouter.proc.send_signal(signal.SIGKILL)
            self.grouter.proc.wait()

    def restart_grouter(self):
        """SIGKILL (if running) and start again with the same configuration and runtime folder."""
        self.kill_grouter()
        self._start_grouter()

    def grouter_crashed(self):
        """The exit status when grouter exited without being asked to, else None."""
        return None if self.grouter.alive() else self.grouter.proc.returncode

    def status(self):
        """GET /api/v1/group, or None while grouter does not answer."""
        return try_group_status(self.grouter)

    def force_members(self, member_ids):
        """POST /api/v1/group/force_members: the operator's last resort."""
        return force_members(self.grouter, list(member_ids))

    # ---- the view

    def node(self, member):
        return self.sandbox.node_of(member)

    def healthy(self, status):
        """True when status has an ONLINE primary and every configured node is an ONLINE member."""
        if not status or not status.get("primary"):
            return False
        members = status.get("members", [])
        return len(members) == self.sandbox.nodes and all(m["member_state"] == "ONLINE" for m in members)

    @staticmethod
    def online_secondaries(status):
        return [m for m in status.get("members", [])
                if m["member_state"] == "ONLINE" and m["member_role"] == "SECONDARY"]

    # ---- node faults and healing

    def pid(self, node):
        return self.sandbox.pid(node)

    def kill_pids(self, pids):
        """SIGKILL each pid, back to back (a double fault lands within microseconds)."""
        for pid in pids:
            os.kill(pid, signal.SIGKILL)

    def hang(self, node):
        pid = self.pid(node)
        os.kill(pid, signal.SIGSTOP)
        return pid

    @staticmethod
    def hang_pid(pid):
        os.kill(pid, signal.SIGSTOP)

    def resume(self, node):
        """SIGCONT node's recorded process if it is running (harmless when it is not stopped)."""
        if node in self.sandbox.running():
            os.kill(self.pid(node), signal.SIGCONT)

    def start_node(self, node, timeout_s=60):
        """Starts a killed node once its old process is gone (returns when it accepts connections)."""
        wait_until(lambda: node not in self.sandbox.running(), timeout_s, f"node {node} to exit")
        self.sandbox.start(node)

    def restart_node(self, node):
        """A clean restart: shutdown, then start."""
        self.sandbox.run("restart", node)

    # ---- reads from the nodes

    def address(self, node):
        return "127.0.0.1", self.sandbox.port(node)

    def received(self, node):
        """The sum of the seq_nos in Gtid_IO_Pos (what its receiver wrote to its relay log)."""
        host, port = self.address(node)
        conn = mysql_connect(host, port, *kAdmin)
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW SLAVE STATUS")
                row = cur.fetchone()
                names = [d[0] for d in cur.description or ()]
        finally:
            conn.close()
        if not row:
            return 0
        return sum(gtid_seq_nos(dict(zip(names, row)).get("Gtid_IO_Pos") or "").values())

    def positions(self, node):
        return gtid_positions(*self.address(node), USER, PASSWORD)

    def checksum(self, node):
        return table_checksum(*self.address(node), USER, PASSWORD, kDb, kTable)

    def ids_on(self, node):
        host, port = self.address(node)
        return self.writer.ids_in_table(host=host, port=port)

    # ---- a member cut off from the primary

    def cut(self, member_node, primary_node):
        """Locks the replication account on the primary and kills member's Binlog Dump thread there
        -> the killed processlist id (None when its connection was not found)."""
        self.sandbox.sql(primary_node, f"SET sql_log_bin = 0; ALTER USER {kReplAccount} ACCOUNT LOCK")
        self.locked_on.add(primary_node)
        local_port = self._receiver_local_port(member_node, self.sandbox.port(primary_node))
        if local_port is None:
            return None
        ids = self.sandbox.sql(primary_node, "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND "
                                             f"LIKE 'Binlog Dump%' AND HOST = '127.0.0.1:{local_port}'").split()
        for thread_id in ids:
            self.sandbox.run("sql", primary_node, f"KILL {int(thread_id)}", check=False)
        return int(ids[0]) if ids else None

    def restore_cuts(self):
        """Unlocks the replication account wherever a cut locked it (on running nodes)."""
        for node in sorted(self.locked_on):
            if node in self.sandbox.running():
                self.sandbox.sql(node, f"SET sql_log_bin = 0; ALTER USER {kReplAccount} ACCOUNT UNLOCK")
                self.locked_on.discard(node)

    def _receiver_local_port(self, member_node, primary_port):
        """The local port of member's established TCP connection to primary_port (from /proc)."""
        pid = self.pid(member_node)
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if state == "01" and inode in inodes and int(remote.split(":")[1], 16) == primary_port:
                return int(local.split(":")[1], 16)
        return None

    # ---- an operator's repair of a member with errant transactions

    def reprovision(self, node, primary_node):
        """Rebuilds node from the primary (the operator's fix for errant transactions): the writer is
        paused, the table is copied with mariadb-dump (one consistent snapshot, --gtid
        --master-data=2: the GTID position of that very snapshot, not @@gtid_binlog_pos, which may
        include commits still waiting for a semi-sync acknowledgement) into node with
        sql_log_bin=0, node's binary log is reset and gtid_slave_pos set to the snapshot's
        position; grouter is restarted afterwards (it rejoins such a member only after a restart).
        Returns the position used."""
        self.writer.pause()
        try:
            dump = subprocess.run(["mariadb-dump", "--no-defaults", "--user=root",
                                   f"--socket={self._socket(primary_node)}", "--single-transaction",
                                   "--master-data=2", "--gtid", kDb, kTable],
                                  check=True, capture_output=True, text=True, timeout=300).stdout
            found = re.search(r"SET GLOBAL gtid_slave_pos\s*=\s*'([^']*)'", dump)
            assert found, "mariadb-dump wrote no gtid_slave_pos"
            position = found.group(1)
            state = binlog_state_at(self.sandbox.sql(primary_node, "SELECT @@gtid_binlog_state"),
                                    position)
            self.sandbox.sql(node, "STOP SLAVE; RESET SLAVE ALL")
            subprocess.run(["mariadb", "--no-defaults", "--user=root", f"--socket={self._socket(node)}",
                            "--init-command=SET sql_log_bin = 0", kDb],
                           input=dump, check=True, capture_output=True, text=True, timeout=300)
            # The binary log state too, not only the position: grouter's errant check compares
            # the joiners' binary log states with the primary's (which server wrote what).
            self.sandbox.sql(node, f"RESET MASTER; SET GLOBAL gtid_binlog_state = '{state}'; "
                                   f"SET GLOBAL gtid_slave_pos = '{position}'")
        finally:
            self.writer.resume()
        self.restart_grouter()
        return position

    def _socket(self, node):
        return str(self.sandbox.path / f"node{node}" / "mysqld.sock")


def primary_node(cluster, status):
    """The node number of status's primary, or None."""
    p = primary_member(status) if status else None
    return cluster.node(p) if p else None


def describe(status):
    """A one-line view of a group status for logs: node:STATE/ROLE ... primary."""
    if not status:
        return "no answer"
    parts = [f"{member_address(m).rsplit(':', 1)[1]}:{m['member_state']}"
             f"{'/P' if m['member_role'] == 'PRIMARY' else ''}" for m in status.get("members", [])]
    failover = status.get("failover")
    return " ".join(parts) + (f" failover={failover}" if failover else "")


def now():
    return time.monotonic()


def binlog_state_at(state_output, position):
    """The GTIDs of a @@gtid_binlog_state (the last line of STATE_OUTPUT) a snapshot at POSITION
    holds: per domain, the servers' GTIDs up to the position's sequence number, the position's own
    included. A server whose newest GTID is beyond the snapshot is left out (its older ones are
    not known)."""
    def gtids(text):
        return [tuple(int(x) for x in g.strip().split("-")) for g in text.split(",") if g.strip()]
    snapshot = {domain: seq for domain, _, seq in gtids(position)}
    lines = state_output.strip().splitlines()
    newest = {}
    for domain, server, seq in gtids(lines[-1] if lines and "-" in lines[-1] else ""):
        if seq <= snapshot.get(domain, -1):
            newest[(domain, server)] = max(seq, newest.get((domain, server), 0))
    for domain, server, seq in gtids(position):
        newest[(domain, server)] = seq
    return ",".join(f"{d}-{s}-{n}" for (d, s), n in sorted(newest.items()))
