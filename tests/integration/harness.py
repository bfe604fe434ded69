"""Drives the storage-node sandbox (packaging/sandbox.sh) and grouter processes for the integration tests.

Nothing here sleeps to synchronise: every wait polls a condition with a deadline (`wait_until`).
Processes are stopped only by the pid this module started or the sandbox recorded.
"""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SANDBOX_SH = REPO / "packaging" / "sandbox.sh"
GROUTER_BIN = os.environ.get("GROUTER_BIN", str(REPO / "build" / "router" / "grouter"))
API = "/api/20190715"
kPollS = 0.05


def wait_until(predicate, timeout_s, what):
    """Polls predicate() until it returns a truthy value (returned) or timeout_s passes (AssertionError)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(kPollS)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_listening(port):
    """True when some socket listens on TCP port (read from /proc, so no connection is made: a probe
    connection would count as a client error against max_connect_errors)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


class Sandbox:
    """A started, replicated sandbox of `nodes` MariaDB nodes in `path`."""

    def __init__(self, path, nodes, base_port):
        self.path = Path(path)
        self.nodes = nodes
        self.base_port = base_port
        self.ssl_ca = str(self.path / "ssl" / "ca.pem")

    def run(self, *args, check=True):
        """sandbox.sh COMMAND ARGS; with check, a failure raises an AssertionError that shows what
        sandbox.sh printed (a node that would not start says why)."""
        done = subprocess.run([str(SANDBOX_SH), "--dir", str(self.path), *map(str, args)],
                              check=False, capture_output=True, text=True, timeout=180)
        if check and done.returncode != 0:
            raise AssertionError(f"sandbox.sh {' '.join(map(str, args))} exited with "
                                 f"{done.returncode}:\n{done.stdout}{done.stderr}")
        return done

    def create(self):
        self.run("destroy")
        self.run("init", self.nodes, "--base-port", self.base_port)
        self.run("start")
        self.run("replicate")

    def port(self, i):
        return self.base_port + i - 1

    def addr(self, i):
        return f"127.0.0.1:{self.port(i)}"

    def sql(self, i, statement):
        return self.run("sql", i, statement).stdout.strip()

    def start(self, *nodes):
        self.run("start", *nodes)

    def stop(self, *nodes):
        self.run("stop", *nodes)

    def kill(self, i):
        self.run("kill", i)

    def running(self):
        """Node numbers whose recorded process is running."""
        out = self.run("status").stdout.split("\n")
        return {int(line.split()[0]) for line in out if line.endswith(" running")}

    def ensure_all_running(self):
        """Starts any stopped node and waits until every replica is acknowledged by the primary, so
        writes (semi-sync, no fallback) never wait for a missing replica."""
        stopped = [i for i in range(1, self.nodes + 1) if i not in self.running()]
        if stopped:
            self.start(*stopped)
        if self.nodes > 1:
            clients = "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'"
            wait_until(lambda: self.sql(1, clients).split()[-1] == str(self.nodes - 1), 60,
                       "all replicas to reconnect to node 1")

    def destroy(self):
        self.run("destroy", check=False)


def standard_routes(sandbox):
    return {
        "routing:rw": {"destinations": sandbox.addr(1), "routing_strategy": "first-available"},
        "routing:ro": {"destinations": f"{sandbox.addr(2)},{sandbox.addr(3)}",
                       "routing_strategy": "round-robin"},
    }


class Grouter:
    """One grouter process started from a config written from a dict of sections."""

    def __init__(self, workdir, sections, binary=GROUTER_BIN, env=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.binary = binary
        self.env = env  # the process's environment (None: this one's)
        self.sections = self._complete(sections)
        self.config_path = self.workdir / "grouter.conf"
        self.log_path = self.workdir / "grouter.log"
        self.proc = None

    def _complete(self, sections):
        """Fills in what every test needs: runtime folder, bind addresses, free ports, the HTTP server."""
        out = {"DEFAULT": {"runtime_folder": str(self.workdir / "run")}, "logger": {"level": "INFO"}}
        (self.workdir / "run").mkdir(exist_ok=True)
        for name, options in sections.items():
            options = dict(options)
            if name.startswith("routing:"):
                options.setdefault("bind_address", "127.0.0.1")
                options.setdefault("bind_port", free_port())
            out.setdefault(name, {}).update(options)
        http = out.setdefault("http_server", {})
        http.setdefault("bind_address", "127.0.0.1")
        http.setdefault("port", free_port())
        return out

    def write_config(self):
        lines = []
        for name, options in self.sections.items():
            lines.append(f"[{name}]")
            lines += [f"{key} = {value}" for key, value in options.items()]
            lines.append("")
        self.config_path.write_text("\n".join(lines))

    def launch(self):
        """Writes the config and starts the process, without waiting for anything."""
        assert Path(self.binary).exists(), f"grouter binary {self.binary} not built"
        self.write_config()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([self.binary, "--config", str(self.config_path)],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         env=self.env)
        return self

    def start(self, ready_timeout_s=20):
        self.launch()
        ports = [self.route_port(n) for n in self.route_names()] + [self.http_port]

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"grouter exited with {self.proc.returncode}:\n{self.log()}")
            return all(is_listening(p) for p in ports)
        wait_until(ready, ready_timeout_s, f"grouter to listen on {ports}")
        return self

    @property
    def pid(self):
        return self.proc.pid

    @property
    def http_port(self):
        return int(self.sections["http_server"]["port"])

    def route_names(self):
        return [n.split(":", 1)[1] for n in self.sections if n.startswith("routing:")]

    def route_port(self, name):
        return int(self.sections[f"routing:{name}"]["bind_port"])

    def rest(self, path):
        """GET path on the HTTP server -> (status, parsed JSON or raw text)."""
        url = f"http://127.0.0.1:{self.http_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode("utf-8", "replace")

    def rss_kb(self):
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        """The end of the log (what an assertion message can show)."""
        return self.full_log()[-4000:]

    def full_log(self):
        """The whole log, every start of this Grouter included (for counting lines)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def signal_and_wait(self, sig, timeout_s=10):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout_s=10):
        """SIGTERM; asserts a clean exit (status 0) within timeout_s."""
        assert self.alive(), f"grouter already exited with {self.proc.returncode}:\n{self.log()}"
        rc = self.signal_and_wait(signal.SIGTERM, timeout_s)
        if rc is None:
            self.proc.kill()
            self.proc.wait()
        assert rc == 0, f"grouter exit status after SIGTERM: {rc} (None: still running after {timeout_s}s)\n{self.log()}"

    def cleanup(self):
        """Teardown: whatever happened, the process is gone afterwards."""
        if self.alive():
            if self.signal_and_wait(signal.SIGTERM, 10) is None:
                self.proc.kill()
                self.proc.wait()
