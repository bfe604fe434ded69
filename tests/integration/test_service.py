"""grouter as a service: SIGHUP reopens the log file (for logrotate) and is harmless when logging to
stderr."""
import os
import signal

from harness import Grouter, is_listening, wait_until


def static_route(sandbox):
    return {"routing:r": {"destinations": sandbox.addr(1)}}


def test_sighup_reopens_the_log_file(sandbox, tmp_path):
    """logrotate's way: move the file, send SIGHUP; a new grouter.log appears and takes every later
    line, the moved file takes none."""
    folder = tmp_path / "logs"
    folder.mkdir()
    g = Grouter(tmp_path / "g", {"DEFAULT": {"logging_folder": str(folder)}, **static_route(sandbox)})
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
