"""A recording writer for failover tests and the failover benchmark.

`RecordingWriter` runs N threads, each doing autocommit single-row INSERTs with unique ids through
PyMySQL, and records what happened to every id:

- acknowledged: the INSERT returned OK; only these ids must survive any failover;
- uncertain: the INSERT was sent and its outcome is unknown (the connection broke or timed out, the
  server was shut down or killed the connection); it may or may not have been committed;
- rejected: the server answered with an error that guarantees the row was not written (read-only,
  duplicate key, ...); recorded in `errors` only.

Every error (code, message, monotonic time) is kept in `errors`; after one the thread closes its
connection, waits a bounded, growing, jittered backoff (interrupted at once by stop()) and
reconnects. Nothing here sleeps to synchronise: waits poll a condition with a deadline.

With `rate`, INSERTs start at most `rate` per second across all threads (so, over any stretch
longer than one INSERT's latency, at most about that many are acknowledged per second): each thread
takes the next free start time, one every 1/rate s, and waits for it (stop() ends the wait). Without
it (the default) the threads write as fast as the server answers.
"""
import bisect
import dataclasses
import itertools
import random
import threading
import time

import pymysql

from clients import query
from harness import wait_until

# Server errors after which the statement certainly did not write its row. Any other failure of an
# INSERT that was sent (lost connection, timeout, shutdown, killed connection, ...) is uncertain.
kRejectedCodes = frozenset({
    1044, 1045, 1142,  # access denied
    1062,              # duplicate key
    1146,              # no such table
    1205, 1213,        # lock wait timeout, deadlock: the statement was rolled back
    1290, 1792, 1836,  # read-only (--read-only, read-only transaction, read-only mode)
})


@dataclasses.dataclass(frozen=True)
class WriteError:
    time: float            # monotonic time the error was seen
    thread: int            # the writer thread's index
    phase: str             # "connect" (nothing was sent) or "insert"
    outcome: str           # "connect", "rejected" or "uncertain"
    code: int | None       # the MySQL error code, None for a non-MySQL exception
    message: str
    id: int | None         # the id the INSERT carried (None in the connect phase)


def _error_code(err):
    if isinstance(err, pymysql.err.MySQLError) and err.args and isinstance(err.args[0], int):
        return err.args[0]
    return None


def _error_message(err):
    if isinstance(err, pymysql.err.MySQLError) and len(err.args) > 1:
        return str(err.args[1])
    return f"{type(err).__name__}: {err}"


def mysql_connect(host, port, user, password, database=None, *, connect_timeout=2.0, io_timeout=10.0,
                  **kw):
    """A PyMySQL autocommit connection with bounded connect, read and write times (the read timeout
    also bounds the handshake, which PyMySQL reads with it)."""
    return pymysql.connect(host=host, port=port, user=user, password=password, database=database,
                           connect_timeout=connect_timeout, read_timeout=io_timeout,
                           write_timeout=io_timeout, autocommit=True, **kw)


def _with_connection(host, port, user, password, database, fn, **kw):
    conn = mysql_connect(host, port, user, password, database, **kw)
    try:
        return fn(conn)
    finally:
        conn.close()


def table_checksum(host, port, user, password, db, table, **kw):
    """CHECKSUM TABLE db.table on host:port -> the checksum (None when the table does not exist)."""
    return _with_connection(host, port, user, password, db,
                            lambda conn: query(conn, f"CHECKSUM TABLE `{db}`.`{table}`")[0][1], **kw)


def gtid_positions(host, port, user, password, **kw):
    """{"gtid_binlog_pos": ..., "gtid_current_pos": ...} of host:port."""
    row = _with_connection(host, port, user, password, None,
                           lambda conn: query(conn, "SELECT @@gtid_binlog_pos, @@gtid_current_pos")[0],
                           **kw)
    return {"gtid_binlog_pos": row[0], "gtid_current_pos": row[1]}


def gtid_seq_nos(position):
    """'0-1-17,1-2-5' -> {domain: seq_no} ({} for an empty position)."""
    out = {}
    for gtid in filter(None, (p.strip() for p in position.split(","))):
        domain, _server, seq = gtid.split("-")
        out[int(domain)] = int(seq)
    return out


def transactions_between(before, after):
    """How many transactions position `after` is ahead of `before` (summed over domains)."""
    b, a = gtid_seq_nos(before), gtid_seq_nos(after)
    return sum(seq - b.get(domain, 0) for domain, seq in a.items())


class RecordingWriter:
    """N threads of autocommit single-row INSERTs into database.table through host:port."""

    def __init__(self, host, port, user, password, database, table, threads=4, *, first_id=None,
                 connect_timeout=2.0, io_timeout=10.0, backoff_min=0.01, backoff_max=0.25,
                 payload_size=32, rate=None):
        assert threads >= 1 and 0 < backoff_min <= backoff_max
        assert rate is None or rate > 0
        self.host, self.port = host, port
        self.user, self.password = user, password
        self.database, self.table = database, table
        self.threads = threads
        self.first_id = first_id
        self.connect_timeout, self.io_timeout = connect_timeout, io_timeout
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.payload = "x" * payload_size
        self.rate = rate
        self._next_start = 0.0          # with a rate: the monotonic time the next INSERT may start
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._go = threading.Event()    # cleared by pause(): threads wait before the next INSERT
        self._go.set()
        self._in_flight = 0             # INSERTs sent and not yet answered
        self._workers = []
        self._ids = None
        self._acked = set()
        self._ack_started = []   # in acknowledgement order: start time of each acknowledged INSERT
        self._ack_finished = []  # ... and the time its OK arrived (non-decreasing)
        self._uncertain = set()
        self._counts = {"attempts": 0, "acknowledged": 0, "uncertain": 0, "rejected": 0,
                        "connect_errors": 0, "connects": 0}

    # ---- lifecycle

    def connect(self, host=None, port=None, database=None):
        """A fresh connection with the writer's account and timeouts (to another server if given)."""
        return mysql_connect(host or self.host, port or self.port, self.user, self.password,
                             self.database if database is None else database,
                             connect_timeout=self.connect_timeout, io_timeout=self.io_timeout)

    def start(self):
        """Creates the table if needed, picks the first id (after the table's largest unless given)
        and starts the threads."""
        assert not self._workers, "writer already started"
        conn = self.connect()
        try:
            exists = query(conn, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                                 "DATABASE() AND TABLE_NAME = %s", (self.table,))
            if not exists:  # (a read-only server refuses even CREATE TABLE IF NOT EXISTS)
                query(conn, f"CREATE TABLE IF NOT EXISTS `{self.table}` (id BIGINT PRIMARY KEY, "
                            "writer INT NOT NULL, payload VARCHAR(255) NOT NULL) ENGINE=InnoDB")
            first = self.first_id
            if first is None:
                first = query(conn, f"SELECT COALESCE(MAX(id), 0) + 1 FROM `{self.table}`")[0][0]
        finally:
            conn.close()
        self._ids = itertools.count(int(first))
        self._stop.clear()
        self._workers = [threading.Thread(target=self._run, args=(i,), name=f"writer-{i}", daemon=True)
                         for i in range(self.threads)]
        for t in self._workers:
            t.start()
        return self

    def pause(self, timeout_s=30):
        """Holds every thread before its next INSERT and waits until none is in flight (connections
        stay open), so that nothing is committing at that moment."""
        self._go.clear()
        wait_until(lambda: self._in_flight_now() == 0, timeout_s, "in-flight INSERTs to finish")

    def resume(self):
        self._go.set()

    def _in_flight_now(self):
        with self._lock:
            return self._in_flight

    def stop(self, timeout_s=None):
        """Stops and joins every thread (an INSERT in flight finishes or times out first)."""
        self._stop.set()
        bound = timeout_s if timeout_s is not None else self.connect_timeout + 2 * self.io_timeout + 5
        deadline = time.monotonic() + bound
        for t in self._workers:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self._workers if t.is_alive()]
        assert not alive, f"writer threads still running after {bound}s: {alive}"
        self._workers = []

    def running(self):
        return bool(self._workers)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- the threads

    def _next_id(self):
        with self._lock:
            self._counts["attempts"] += 1
            return next(self._ids)

    def _record_error(self, index, phase, outcome, err, write_id):
        e = WriteError(time.monotonic(), index, phase, outcome, _error_code(err), _error_message(err),
                       write_id)
        with self._lock:
            self.errors.append(e)
            if outcome == "uncertain":
                self._uncertain.add(write_id)
                self._counts["uncertain"] += 1
            elif outcome == "rejected":
                self._counts["rejected"] += 1
            else:
                self._counts["connect_errors"] += 1

    def _record_ack(self, write_id, started):
        finished = time.monotonic()
        with self._lock:
            self._acked.add(write_id)
            self._ack_started.append(started)
            self._ack_finished.append(finished)
            self._counts["acknowledged"] += 1

    def _run(self, index):
        conn = None
        backoff = self.backoff_min
        while not self._stop.is_set():
            if conn is None:
                try:
                    conn = self.connect()
                except Exception as err:  # noqa: BLE001 - every failure is recorded and retried
                    self._record_error(index, "connect", "connect", err, None)
                    backoff = self._back_off(backoff)
                    continue
                with self._lock:
                    self._counts["connects"] += 1
            if not self._wait_turn():
                break
            with self._lock:
                if not self._go.is_set():
                    paused = True
                else:
                    paused = False
                    self._in_flight += 1
            if paused:
                self._go.wait(0.05)
                continue
            write_id = self._next_id()
            started = time.monotonic()
            try:
                with conn.cursor() as cur:
                    cur.execute(f"INSERT INTO `{self.table}` (id, writer, payload) VALUES (%s, %s, %s)",
                                (write_id, index, self.payload))
            except Exception as err:  # noqa: BLE001
                with self._lock:
                    self._in_flight -= 1
                code = _error_code(err)
                self._record_error(index, "insert", "rejected" if code in kRejectedCodes else "uncertain",
                                   err, write_id)
                self._close(conn)
                conn = None
                backoff = self._back_off(backoff)
                continue
            with self._lock:
                self._in_flight -= 1
            self._record_ack(write_id, started)
            backoff = self.backoff_min
        if conn is not None:
            self._close(conn)

    def _wait_turn(self):
        """With a rate, takes the next start time (one per 1/rate s across all threads, none saved up
        while nobody writes) and waits for it. False when stop() ended the wait."""
        if self.rate is None:
            return True
        with self._lock:
            t = time.monotonic()
            start = max(self._next_start, t)
            self._next_start = start + 1.0 / self.rate
        return not self._stop.wait(start - t) if start > t else True

    def _back_off(self, backoff):
        """Waits `backoff` seconds with jitter (stop() ends the wait) and returns the next, doubled
        up to backoff_max."""
        self._stop.wait(backoff * random.uniform(0.5, 1.0))
        return min(backoff * 2, self.backoff_max)

    @staticmethod
    def _close(conn):
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone anyway
            pass

    # ---- what was recorded

    def acknowledged(self):
        with self._lock:
            return set(self._acked)

    def uncertain(self):
        with self._lock:
            return set(self._uncertain)

    def counters(self):
        with self._lock:
            return dict(self._counts, errors=len(self.errors))

    def errors_since(self, t):
        with self._lock:
            return [e for e in self.errors if e.time >= t]

    def first_success_after(self, t):
        """Monotonic time the first acknowledged INSERT that started at or after t got its OK, or
        None if there is none yet."""
        with self._lock:
            i = bisect.bisect_left(self._ack_finished, t)  # an INSERT started after t finished after t
            for started, finished in zip(self._ack_started[i:], self._ack_finished[i:]):
                if started >= t:
                    return finished
        return None

    def wait_first_success_after(self, t, timeout_s):
        """first_success_after(t), waiting for it up to timeout_s (AssertionError after)."""
        return wait_until(lambda: self.first_success_after(t), timeout_s,
                          f"an acknowledged write started after t={t:.3f}")

    def wait_acknowledged(self, count, timeout_s):
        """Waits until at least `count` writes were acknowledged."""
        return wait_until(lambda: self.counters()["acknowledged"] >= count, timeout_s,
                          f"{count} acknowledged writes")

    # ---- checks against a server

    def ids_in_table(self, conn_factory=None, *, host=None, port=None):
        """The ids present in the writer's table on a server: conn_factory() gives a connection, or
        host/port (the writer's account and database)."""
        conn = conn_factory() if conn_factory else self.connect(host, port)
        try:
            return {row[0] for row in query(conn, f"SELECT id FROM `{self.database}`.`{self.table}`")}
        finally:
            conn.close()

    def verify_all_present(self, conn_factory=None, *, host=None, port=None):
        """The acknowledged ids missing from the table on that server (sorted; empty is good)."""
        return sorted(self.acknowledged() - self.ids_in_table(conn_factory, host=host, port=port))
