"""Command line and configuration errors: exit status 1 and one line naming the file, the line and the
problem; --version and --help."""
import re
import subprocess

import pytest

from harness import GROUTER_BIN, free_port


def run_config(tmp_path, lines, timeout_s=10):
    """Writes lines as a config and runs grouter on it -> (exit status, non-empty stderr lines, path)."""
    path = tmp_path / "bad.conf"
    path.write_text("\n".join(lines) + "\n")
    out = subprocess.run([GROUTER_BIN, "--config", str(path)], capture_output=True, text=True,
                         timeout=timeout_s, stdin=subprocess.DEVNULL)
    return out.returncode, [l for l in out.stderr.splitlines() if l.strip()], path


def assert_config_error(tmp_path, lines, lineno, token):
    rc, err_lines, path = run_config(tmp_path, lines)
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
