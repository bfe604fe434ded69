"""Command line and configuration errors: exit status 1 and one line naming the file, the line and the
problem, both at start-up (--config) and from --validate-config; --version and --help."""
import re
import subprocess

import pytest

from harness import GROUTER_BIN, free_port, is_listening


def run_config(tmp_path, lines, timeout_s=10, option="--config"):
    """Writes lines as a config and runs grouter OPTION on it -> (exit status, non-empty stderr lines,
    path)."""
    path = tmp_path / "bad.conf"
    path.write_text("\n".join(lines) + "\n")
    out = subprocess.run([GROUTER_BIN, option, str(path)], capture_output=True, text=True,
                         timeout=timeout_s, stdin=subprocess.DEVNULL)
    return out.returncode, [l for l in out.stderr.splitlines() if l.strip()], path


def assert_config_error(tmp_path, lines, lineno, token, option="--config"):
    rc, err_lines, path = run_config(tmp_path, lines, option=option)
    assert rc == 1, f"exit status {rc}, stderr: {err_lines}"
    assert len(err_lines) == 1, f"want one line, got: {err_lines}"
    line = err_lines[0]
    assert str(path) in line, f"the line does not name the file: {line}"
    rest = line.replace(str(path), " ")
    assert re.search(rf"(?<!\d){lineno}(?!\d)", rest), f"the line does not name line {lineno}: {line}"
    assert token in rest, f"the line does not name the problem ({token}): {line}"


def good_route():
    return ["[routing:r]", "bind_address = 127.0.0.1", f"bind_port = {free_port()}",
            "destinations = 127.0.0.1:3320", "routing_strategy = first-available"]


def test_unknown_section(tmp_path):
    assert_config_error(tmp_path, good_route() + ["", "[bogus_section]", "a = b"], 7, "bogus_section")


def test_unknown_key(tmp_path):
    assert_config_error(tmp_path, good_route() + ["bogus_key = 1"], 6, "bogus_key")


@pytest.mark.parametrize("key,value", [
    ("bind_port", "not-a-port"),
    ("bind_port", "70000"),
    ("routing_strategy", "fastest"),
    ("connect_timeout", "-1"),
    ("max_connections", "many"),
    ("destinations", "127.0.0.1:notaport"),
])
def test_bad_value(tmp_path, key, value):
    lines = [l for l in good_route() if not l.startswith(key + " ")] + [f"{key} = {value}"]
    assert_config_error(tmp_path, lines, len(lines), key)


def test_bad_logger_level(tmp_path):
    assert_config_error(tmp_path, good_route() + ["[logger]", "level = LOUD"], 7, "level")


def test_missing_config_file_fails(tmp_path):
    out = subprocess.run([GROUTER_BIN, "--config", str(tmp_path / "absent.conf")],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 1
    assert str(tmp_path / "absent.conf") in out.stderr


def test_version():
    out = subprocess.run([GROUTER_BIN, "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0
    assert "grouter" in out.stdout and re.search(r"\d+\.\d+", out.stdout), out.stdout


def test_help():
    out = subprocess.run([GROUTER_BIN, "--help"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0
    assert "--config" in out.stdout and "--version" in out.stdout, out.stdout


def test_logging_folder_and_level(tmp_path, sandbox):
    """logging_folder sends the log to FOLDER/grouter.log; level filters it."""
    from harness import Grouter
    for level, expect_info in (("DEBUG", True), ("WARNING", False)):
        folder = tmp_path / f"logs-{level}"
        folder.mkdir()
        g = Grouter(tmp_path / f"g-{level}", {
            "DEFAULT": {"logging_folder": str(folder)}, "logger": {"level": level},
            "routing:r": {"destinations": sandbox.addr(1)}}).start()
        try:
            g.stop()
        finally:
            g.cleanup()
        text = (folder / "grouter.log").read_text()
        assert ("listening on" in text) == expect_info, f"level {level}: {text[:500]}"
        assert "grouter.log" not in g.log() and "listening on" not in g.log(), "stderr stays quiet"


def validate(path):
    return subprocess.run([GROUTER_BIN, "--validate-config", str(path)], capture_output=True,
                          text=True, timeout=10, stdin=subprocess.DEVNULL)


def test_validate_config_accepts_a_valid_file_and_starts_nothing(tmp_path):
    """A valid configuration (a route, a group with its password files, the HTTP server): exit 0 and
    'FILE: OK'; nothing listens and no runtime folder is made."""
    (tmp_path / "cluster_password").write_text("admin_pw\n")
    (tmp_path / "recovery_password").write_text("repl_pw\n")
    route_port, http_port = free_port(), free_port()
    path = tmp_path / "good.conf"
    path.write_text("\n".join([
        "[DEFAULT]", f"runtime_folder = {tmp_path / 'run'}",
        "[routing:primary]", "bind_address = 127.0.0.1", f"bind_port = {route_port}",
        "destinations = metadata-cache://mygroup/?role=PRIMARY",
        "[group_replication]", "group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
        "cluster_user = admin", f"cluster_password_file = {tmp_path / 'cluster_password'}",
        "recovery_user = repl", f"recovery_password_file = {tmp_path / 'recovery_password'}",
        "[storage_node:node1]", "address = 127.0.0.1:3306",
        "[http_server]", "bind_address = 127.0.0.1", f"port = {http_port}", ""]))
    out = validate(path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"{path}: OK\n" and out.stderr == "", (out.stdout, out.stderr)
    assert not (tmp_path / "run").exists(), "--validate-config created the runtime folder"
    assert not is_listening(route_port) and not is_listening(http_port)


def test_validate_config_unknown_key(tmp_path):
    assert_config_error(tmp_path, good_route() + ["bind_prot = 1"], 6, "unknown option 'bind_prot'",
                        option="--validate-config")


@pytest.mark.parametrize("key,value,cause", [
    ("bind_port", "70000", "invalid value '70000' for option 'bind_port'"),
    ("routing_strategy", "fastest", "invalid value 'fastest' for option 'routing_strategy'"),
])
def test_validate_config_bad_value(tmp_path, key, value, cause):
    lines = [l for l in good_route() if not l.startswith(key + " ")] + [f"{key} = {value}"]
    assert_config_error(tmp_path, lines, len(lines), cause, option="--validate-config")


def test_validate_config_missing_file(tmp_path):
    path = tmp_path / "absent.conf"
    out = validate(path)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == f"grouter: {path}:0: cannot read the configuration file\n", out.stderr


def test_validate_config_unreadable_password_file(tmp_path):
    """A password file that cannot be read fails the check, naming the option and the file."""
    missing = tmp_path / "no_password_here"
    lines = good_route() + [
        "[group_replication]", "group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
        "cluster_user = admin", f"cluster_password_file = {missing}"]
    assert_config_error(tmp_path, lines, len(lines), f"cluster_password_file' in [group_replication]: "
                        f"cannot read '{missing}'", option="--validate-config")


def test_validate_config_loads_tls_files(tmp_path):
    """The route's certificate is loaded as start-up would: a missing one fails, naming the route and
    the option."""
    missing = tmp_path / "router-cert.pem"
    lines = good_route() + ["client_ssl_mode = REQUIRED", f"client_ssl_cert = {missing}",
                            f"client_ssl_key = {tmp_path / 'router-key.pem'}"]
    rc, err_lines, path = run_config(tmp_path, lines, option="--validate-config")
    assert rc == 1 and len(err_lines) == 1, err_lines
    assert err_lines[0].startswith(f"grouter: {path}: [routing:r] client_ssl_cert={missing}: "), err_lines
