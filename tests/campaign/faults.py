"""The fault kinds of the campaign. Each injector takes the cluster, the campaign's seeded random
source and the group status before the fault, injects the fault at once, and returns a Fault: what
was hit, the monotonic time of the fault (t0), how long to hold it before healing, and the healing
steps (start killed nodes, SIGCONT hung ones, restore cuts), run in the order given.

Kinds:
  kill_primary               SIGKILL the primary
  kill_secondary             SIGKILL an ONLINE secondary
  hang_primary               SIGSTOP the primary; SIGCONT after 2-15 s
  hang_secondary             SIGSTOP an ONLINE secondary; SIGCONT after 2-15 s
  restart_node               clean restart (shutdown, start) of any member
  kill_grouter_in_failover   SIGKILL the primary, SIGKILL grouter 0.1-1.5 s later (while it fails
                             over), start grouter again 0-2 s after that
  kill_primary+hang_secondary  SIGKILL the primary and SIGSTOP the most advanced secondary
  kill_primary+kill_secondary  SIGKILL the primary and the most advanced secondary
  cut_member                 an ONLINE secondary cannot receive from the primary (cluster.py says
                             how) while grouter still probes it; restored after 5-12 s
The most advanced secondary is the one whose receiver holds the most (Gtid_IO_Pos), read just
before the fault: the likeliest sole holder of an acknowledged write (semi-sync waits for ONE
replica), so a double fault that takes it with the primary tests whether the group waits for it.
The primary is killed first, then the secondary (microseconds apart): what the secondary had
received is then all it will ever have.
"""
import dataclasses
import time

from cluster import now, primary_node

kHangS = (2.0, 15.0)
kKillHoldS = (1.0, 6.0)
kDoubleHoldS = (2.0, 10.0)
kCutHoldS = (5.0, 12.0)
kGrouterKillDelayS = (0.1, 1.5)
kGrouterDownS = (0.0, 2.0)


@dataclasses.dataclass
class Fault:
    kind: str
    targets: dict                 # role -> node number ("primary", "secondary", "node")
    t0: float = 0.0               # monotonic time of the fault
    hold_s: float = 0.0           # how long it lasts before healing
    heal: list = dataclasses.field(default_factory=list)   # [(description, callable)]
    notes: list = dataclasses.field(default_factory=list)


def _secondary_nodes(cluster, status):
    return [cluster.node(m) for m in cluster.online_secondaries(status)]


def most_advanced_secondary(cluster, rng, status):
    """The ONLINE secondary whose receiver holds the most (ties: random)."""
    scored = []
    for node in _secondary_nodes(cluster, status):
        try:
            scored.append((cluster.received(node), rng.random(), node))
        except Exception:  # noqa: BLE001 - an unreadable node is simply not the most advanced
            scored.append((-1, rng.random(), node))
    return max(scored)[2]


def _start(cluster, node):
    return (f"start node{node}", lambda: cluster.start_node(node))


def _cont(cluster, node):
    return (f"SIGCONT node{node}", lambda: cluster.resume(node))


def _pause(seconds):
    """A deliberate delay inside a fault (not a synchronisation)."""
    time.sleep(seconds)


# ---- single faults

def _one_node(kind, role, node, hold_s, act, heal, cluster):
    """Fault KIND on NODE (its ROLE): ACT on its pid now, HEAL(cluster, node) later."""
    pid = cluster.pid(node)
    f = Fault(kind, {role: node}, hold_s=hold_s)
    f.t0 = now()
    act(pid)
    f.heal = [heal(cluster, node)]
    return f


def kill_primary(cluster, rng, status):
    return _one_node("kill_primary", "primary", primary_node(cluster, status),
                     rng.uniform(*kKillHoldS), lambda pid: cluster.kill_pids([pid]), _start, cluster)


def kill_secondary(cluster, rng, status):
    return _one_node("kill_secondary", "secondary", rng.choice(_secondary_nodes(cluster, status)),
                     rng.uniform(*kKillHoldS), lambda pid: cluster.kill_pids([pid]), _start, cluster)


def hang_primary(cluster, rng, status):
    return _one_node("hang_primary", "primary", primary_node(cluster, status),
                     rng.uniform(*kHangS), cluster.hang_pid, _cont, cluster)


def hang_secondary(cluster, rng, status):
    return _one_node("hang_secondary", "secondary", rng.choice(_secondary_nodes(cluster, status)),
                     rng.uniform(*kHangS), cluster.hang_pid, _cont, cluster)


def restart_node(cluster, rng, status):
    n = cluster.node(rng.choice([m for m in status["members"] if m["member_state"] == "ONLINE"]))
    role = "primary" if n == primary_node(cluster, status) else "secondary"
    f = Fault("restart_node", {role: n})
    f.t0 = now()
    cluster.restart_node(n)
    return f


def kill_grouter_in_failover(cluster, rng, status):
    p = primary_node(cluster, status)
    pid = cluster.pid(p)
    f = Fault("kill_grouter_in_failover", {"primary": p}, hold_s=rng.uniform(*kKillHoldS))
    delay, down = rng.uniform(*kGrouterKillDelayS), rng.uniform(*kGrouterDownS)
    f.t0 = now()
    cluster.kill_pids([pid])
    _pause(delay)
    cluster.kill_grouter()
    _pause(down)
    cluster.restart_grouter()
    f.notes.append(f"grouter SIGKILLed {delay:.2f}s after the primary, restarted {down:.2f}s later")
    f.heal = [_start(cluster, p)]
    return f


def cut_member(cluster, rng, status):
    p = primary_node(cluster, status)
    s = rng.choice(_secondary_nodes(cluster, status))
    f = Fault("cut_member", {"primary": p, "secondary": s}, hold_s=rng.uniform(*kCutHoldS))
    f.t0 = now()
    killed = cluster.cut(s, p)
    if killed is None:
        f.notes.append(f"node{s}'s Binlog Dump thread on node{p} was not found (not connected?)")
    f.heal = [("restore the replication account", cluster.restore_cuts)]
    return f


# ---- double faults

def kill_primary_hang_secondary(cluster, rng, status):
    p = primary_node(cluster, status)
    s = most_advanced_secondary(cluster, rng, status)
    p_pid, s_pid = cluster.pid(p), cluster.pid(s)
    f = Fault("kill_primary+hang_secondary", {"primary": p, "secondary": s},
              hold_s=rng.uniform(*kDoubleHoldS))
    f.t0 = now()
    cluster.kill_pids([p_pid])
    cluster.hang_pid(s_pid)
    f.heal = _shuffled(rng, [_start(cluster, p), _cont(cluster, s)])
    return f


def kill_primary_and_secondary(cluster, rng, status):
    p = primary_node(cluster, status)
    s = most_advanced_secondary(cluster, rng, status)
    pids = [cluster.pid(p), cluster.pid(s)]
    f = Fault("kill_primary+kill_secondary", {"primary": p, "secondary": s},
              hold_s=rng.uniform(*kDoubleHoldS))
    f.t0 = now()
    cluster.kill_pids(pids)
    f.heal = _shuffled(rng, [_start(cluster, p), _start(cluster, s)])
    return f


def _shuffled(rng, steps):
    steps = list(steps)
    rng.shuffle(steps)
    return steps


KINDS = {
    "kill_primary": kill_primary,
    "kill_secondary": kill_secondary,
    "hang_primary": hang_primary,
    "hang_secondary": hang_secondary,
    "restart_node": restart_node,
    "kill_grouter_in_failover": kill_grouter_in_failover,
    "kill_primary+hang_secondary": kill_primary_hang_secondary,
    "kill_primary+kill_secondary": kill_primary_and_secondary,
    "cut_member": cut_member,
}
kNeedsSecondary = {"kill_secondary", "hang_secondary", "cut_member", "kill_primary+hang_secondary",
                   "kill_primary+kill_secondary"}


def applicable(kind, cluster, status):
    """Whether the group status allows this kind now (a primary; an ONLINE secondary if needed)."""
    if primary_node(cluster, status) is None:
        return False
    return kind not in kNeedsSecondary or bool(cluster.online_secondaries(status))


def schedule(rng, count, kinds=None):
    """`count` kinds: rounds of every kind in a shuffled order, so that each appears about equally."""
    kinds = list(kinds or KINDS)
    out = []
    while len(out) < count:
        round_ = list(kinds)
        rng.shuffle(round_)
        out += round_
    return out[:count]
