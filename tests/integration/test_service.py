"""grouter as a service: SIGHUP reopens the log file (for logrotate) and is harmless when logging to
stderr; under systemd (NOTIFY_SOCKET) it sends READY=1 once every port accepts connections, and
STOPPING=1 when it shuts down."""
import os
import signal
import socket

from harness import Grouter, is_listening, wait_until


def static_route(sandbox):
    return {"routing:r": {"destinations": sandbox.addr(1)}}


def test_sighup_reopens_the_log_file(sandbox, tmp_path):
    """logrotate's way: move the file, send SIGHUP; a new grouter.log appears and takes every later
    line, the moved file takes none."""
    folder = tmp_path / "logs"
    folder.mkdir()
    g = Grouter(tmp_path / "g",
                {"DEFAULT": {"logging_folder": str(folder)}, **static_route(sandbox)})
    try:
        g.start()
        log, rotated = folder / "grouter.log", folder / "grouter.log.1"
        wait_until(lambda: "started with" in log.read_text(), 10, "the start-up line in the log")
        log.rename(rotated)
        os.kill(g.pid, signal.SIGHUP)
        wait_until(lambda: log.exists() and "log file reopened" in log.read_text(), 10,
                   "a new grouter.log after SIGHUP")
        g.stop()
        assert g.proc.returncode == 0
        old, new = rotated.read_text(), log.read_text()
        assert "started with" in old and "log file reopened" not in old, old
        assert "grouter stopped" in new and "grouter stopped" not in old, new
    finally:
        g.cleanup()


def test_sighup_is_harmless_on_stderr(sandbox, tmp_path):
    """Logging to stderr, SIGHUP neither stops grouter nor writes anything odd: it keeps serving and
    stops cleanly afterwards."""
    g = Grouter(tmp_path / "g", static_route(sandbox))
    try:
        g.start()
        os.kill(g.pid, signal.SIGHUP)
        status, _ = g.rest("/api/20190715/routes")  # a round trip: the signal has been handled
        assert status == 200 and g.alive()
        g.stop()
        assert "error" not in g.full_log().lower(), g.log()
    finally:
        g.cleanup()


def receive(sock, timeout_s):
    sock.settimeout(timeout_s)
    data = sock.recv(4096).decode()
    return dict(line.split("=", 1) for line in data.splitlines() if "=" in line)


def test_sd_notify_ready_once_ports_accept_then_stopping(sandbox, tmp_path):
    """With NOTIFY_SOCKET set (as systemd sets it for Type=notify), READY=1 with grouter's MAINPID
    is sent only once every port accepts: read it first, then check the ports. SIGTERM sends
    STOPPING=1."""
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        g = Grouter(tmp_path / "g", static_route(sandbox), env=dict(os.environ, NOTIFY_SOCKET=path))
        try:
            g.launch()
            ready = receive(sock, 20)
            assert ready.get("READY") == "1" and ready.get("MAINPID") == str(g.pid), ready
            # The moment READY arrived: every port listens and the HTTP port answers a request.
            assert is_listening(g.route_port("r")) and is_listening(g.http_port)
            status, _ = g.rest("/api/20190715/routes")
            assert status == 200
            g.stop()
            assert receive(sock, 10).get("STOPPING") == "1"
        finally:
            g.cleanup()


def test_sd_notify_no_ready_when_a_port_cannot_be_opened(sandbox, tmp_path):
    """READY=1 comes after the last listener opens, not before: with the HTTP port (opened after the
    routes) taken by another socket, grouter exits 1 and sends nothing."""
    path = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock, socket.socket() as taken:
        sock.bind(path)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        sections = {**static_route(sandbox),
                    "http_server": {"bind_address": "127.0.0.1", "port": taken.getsockname()[1]}}
        g = Grouter(tmp_path / "g", sections, env=dict(os.environ, NOTIFY_SOCKET=path))
        try:
            g.launch()
            assert g.proc.wait(timeout=20) == 1, g.log()
            assert "[http_server] cannot listen" in g.log(), g.log()
            sock.setblocking(False)
            try:
                message = sock.recv(4096)
            except BlockingIOError:
                message = None
            assert message is None, f"grouter notified {message!r} although it did not start"
        finally:
            g.cleanup()
