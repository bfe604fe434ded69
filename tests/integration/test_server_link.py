"""ServerLink (routing/server_link.h) against the sandbox's real MariaDB nodes: a session's further
server connection, logged in from the client's proof (SHA1(password)) with each node's own nonce,
plain or with TLS, and its errors. Driven by tests/tools/server_link_probe, which also fails (exit 3)
when its libuv loop still has a live handle after the link closed.

GROUTER_PROBE_BIN overrides build/tests/tools/server_link_probe."""
import os
import socket
import subprocess

from clients import PASSWORD, USER
from harness import REPO, free_port

PROBE = os.environ.get("GROUTER_PROBE_BIN", str(REPO / "build" / "tests" / "tools" / "server_link_probe"))
kCipherQuery = ("SELECT CURRENT_USER(), DATABASE(), @@server_id, (SELECT VARIABLE_VALUE FROM "
                "information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher')")


def probe(port, *extra, user=USER, password=PASSWORD, host="127.0.0.1"):
    """Runs the probe; (exit code, {"ready": ..., "rows": [...], "error": ..., "elapsed_ms": n})."""
    assert os.path.exists(PROBE), f"{PROBE} is not built (ninja tests/tools/server_link_probe)"
    done = subprocess.run([PROBE, host, str(port), user, password, *extra], capture_output=True,
                          text=True, timeout=30)
    out = {"rows": [], "ready": None, "error": None, "elapsed_ms": None, "stdout": done.stdout}
    for line in done.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "ready":
            out["ready"] = rest
        elif word == "row":
            out["rows"].append(rest.split("\t"))
        elif word == "ERROR":
            out["error"] = rest
        elif word == "elapsed_ms":
            out["elapsed_ms"] = int(rest)
    assert done.returncode != 3, f"the probe's loop did not close cleanly:\n{done.stdout}"
    assert out["elapsed_ms"] is not None, f"the probe did not finish:\n{done.stdout}{done.stderr}"
    return done.returncode, out


def test_a_plain_link_to_a_secondary_logs_in_from_the_proof(sandbox):
    code, out = probe(sandbox.port(2), "--schema", "test", "--query", kCipherQuery)
    assert code == 0, out["stdout"]
    assert out["ready"].split()[1] == "plain", out["stdout"]
    [[current_user, database, server_id, cipher]] = out["rows"]
    assert current_user.startswith(f"{USER}@"), current_user
    assert database == "test"
    assert server_id == "2"
    assert cipher == ""


def test_required_tls_with_verify_identity_against_the_sandbox_ca(sandbox):
    code, out = probe(sandbox.port(1), "--query", kCipherQuery, "--ssl-mode", "REQUIRED",
                      "--verify", "VERIFY_IDENTITY", "--ca", sandbox.ssl_ca)
    assert code == 0, out["stdout"]
    assert "TLS" in out["ready"], out["stdout"]
    [[current_user, database, server_id, cipher]] = out["rows"]
    assert current_user.startswith(f"{USER}@"), current_user
    assert database == "\\N"  # no schema asked for
    assert server_id == "1"
    assert cipher != ""  # the node itself sees TLS on the link


def test_a_certificate_from_another_ca_is_refused_with_2026(sandbox):
    code, out = probe(sandbox.port(1), "--ssl-mode", "REQUIRED", "--verify", "VERIFY_CA",
                      "--ca", str(sandbox.path / "ssl" / "router-cert.pem"))
    assert code == 1, out["stdout"]
    assert out["error"].startswith("2026 (HY000) SSL connection error"), out["stdout"]
    assert "certificate" in out["error"], out["stdout"]


def test_a_wrong_proof_gets_the_nodes_1045(sandbox):
    code, out = probe(sandbox.port(1), password="not-the-password")
    assert code == 1, out["stdout"]
    assert out["error"].startswith(f"1045 (28000) Access denied for user '{USER}'@"), out["stdout"]
    assert out["ready"] is None


def test_a_closed_port_gets_2003_within_connect_timeout(sandbox):
    code, out = probe(free_port(), "--connect-timeout-ms", "1000")
    assert code == 1, out["stdout"]
    assert out["error"].startswith("2003 (HY000) Can't connect to MySQL server on"), out["stdout"]
    assert out["elapsed_ms"] < 1000, out["stdout"]


def test_a_node_that_never_greets_gets_2013_at_the_login_deadline(sandbox):
    # A socket that accepts (the kernel does) and says nothing: a fault a real node cannot be made
    # to show on demand.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        code, out = probe(silent.getsockname()[1], "--connect-timeout-ms", "400")
    assert code == 1, out["stdout"]
    assert out["error"].startswith("2013 (HY000) Lost connection"), out["stdout"]
    assert 400 <= out["elapsed_ms"] < 2000, out["stdout"]
