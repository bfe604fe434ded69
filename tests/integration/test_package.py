"""The Debian package (packaging/build-deb.sh): its contents and control data, its systemd unit
(systemd-analyze verify and security), and its life on this machine: dpkg -i makes the grouter user and folders,
the installed grouter with the installed configuration routes a mariadb CLI query to a sandbox node
and reopens its log after logrotate moved it (SIGHUP), and dpkg --purge removes it all again.

Needs root (dpkg -i). The package is built once for the module from the build tree that holds
GROUTER_BIN; it is purged at the end whatever happened.
"""
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from clients import cli
from harness import GROUTER_BIN, REPO, free_port, is_listening, wait_until

BUILD_DEB = REPO / "packaging" / "build-deb.sh"
CONF = Path("/etc/grouter/grouter.conf")
UNIT = Path("/lib/systemd/system/grouter.service")
LOGROTATE = Path("/etc/logrotate.d/grouter")
BIN = Path("/usr/sbin/grouter")
STATE_DIR, LOG_DIR = Path("/var/lib/grouter"), Path("/var/log/grouter")


def run(*args, check=True, **kw):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120, **kw)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited with {done.returncode}:\n"
                             f"{done.stdout}{done.stderr}")
    return done


def installed():
    done = run("dpkg-query", "-W", "-f=${Status}", "grouter", check=False)
    return "install ok installed" in done.stdout or "config-files" in done.stdout


def purge():
    if installed():
        run("dpkg", "--purge", "grouter")


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    assert os.geteuid() == 0, "the package tests install a package: run them as root"
    build_dir = Path(GROUTER_BIN).resolve().parents[1]
    out = run(BUILD_DEB, "--build-dir", build_dir, "--out", tmp_path_factory.mktemp("deb"))
    path = Path(out.stdout.strip().splitlines()[-1])
    assert path.is_file(), out.stdout
    return path


@pytest.fixture(scope="module")
def package(deb):
    """The package installed with dpkg -i (a leftover from an earlier run purged first); purged at
    the end of the module whatever happened."""
    purge()
    run("dpkg", "-i", deb)
    yield deb
    purge()


def control(deb, field):
    return run("dpkg-deb", "-f", deb, field).stdout.strip()


def test_contents(deb):
    """Paths, owners and modes of what the package ships."""
    entries = {}
    for line in run("dpkg-deb", "-c", deb).stdout.splitlines():
        mode, owner, _size, _date, _time, path = line.split(None, 5)
        entries[path.removeprefix(".")] = (mode, owner)
    expected = {
        "/usr/sbin/grouter": "-rwxr-xr-x",
        "/etc/grouter/grouter.conf": "-rw-r--r--",
        "/lib/systemd/system/grouter.service": "-rw-r--r--",
        "/etc/logrotate.d/grouter": "-rw-r--r--",
        "/usr/share/doc/grouter/README.md": "-rw-r--r--",
        "/usr/share/doc/grouter/copyright": "-rw-r--r--",
    }
    for path, mode in expected.items():
        assert path in entries, f"{path} missing from the package: {sorted(entries)}"
        assert entries[path] == (mode, "root/root"), f"{path}: {entries[path]}"
    files = {p for p, (m, _) in entries.items() if not m.startswith("d")}
    assert files == set(expected), f"unexpected files: {files - set(expected)}"


def test_control_fields_conffiles_and_scripts(deb):
    version = run(GROUTER_BIN, "--version").stdout.split()[1]
    assert control(deb, "Package") == "grouter"
    assert control(deb, "Version") == f"{version}-1"
    assert control(deb, "Architecture") == run("dpkg", "--print-architecture").stdout.strip()
    with tempfile.TemporaryDirectory() as meta:
        run("dpkg-deb", "-e", deb, meta)
        assert Path(meta, "conffiles").read_text().split() == [str(CONF), str(LOGROTATE)]
        for script in ("postinst", "prerm", "postrm"):
            assert os.access(Path(meta, script), os.X_OK), f"{script} missing or not executable"


def test_depends_covers_every_shared_library(deb):
    """Every shared library the binary needs comes from a package named in Depends, or one that
    Provides a name there (computed by dpkg-shlibdeps, checked here from ldd and dpkg -S); adduser
    and passwd for the scripts."""
    depends = {d.strip().split()[0] for d in control(deb, "Depends").split(",")}
    with tempfile.TemporaryDirectory() as root:
        run("dpkg-deb", "-x", deb, root)
        binary = Path(root) / "usr/sbin/grouter"
        needed = re.findall(r"\(NEEDED\).*\[(.+)\]", run("readelf", "-d", binary).stdout)
        paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", run("ldd", binary).stdout, re.M))
    assert "libuv.so.1" in needed and "libsystemd.so.0" in needed, needed
    libraries = [paths[soname] for soname in needed]  # the binary's own; theirs are their Depends
    # One dpkg -S for all (it is slow): usrmerge lets dpkg know a file as /lib/... or /usr/lib/...
    asked = libraries + [os.path.realpath(lib) for lib in libraries]
    owners = {}
    for line in run("dpkg", "-S", *asked, check=False).stdout.splitlines():
        package, path = line.split(": ", 1)
        owners[os.path.realpath(path)] = package.split(":")[0]
    provided = {}
    for line in run("dpkg-query", "-W", "-f=${Package}\t${Provides}\n",
                    *set(owners.values())).stdout.splitlines():
        package, provides = line.split("\t")
        provided[package] = {package} | {p.split()[0] for p in provides.split(",") if p.strip()}
    for lib in libraries:
        package = owners.get(os.path.realpath(lib))
        assert package, f"no package owns {lib}"
        assert provided[package] & depends, (
            f"{lib} comes from {provided[package]}, none in Depends: {sorted(depends)}")
    assert {"adduser", "passwd"} <= depends


def test_shipped_config_is_valid_and_holds_no_secret(deb):
    """The example is accepted by --validate-config as shipped, and names password files, never a
    password."""
    with tempfile.TemporaryDirectory() as root:
        run("dpkg-deb", "-x", deb, root)
        conf = Path(root) / "etc/grouter/grouter.conf"
        text = conf.read_text()
        done = run(Path(root) / "usr/sbin/grouter", "--validate-config", conf)
        assert done.stdout == f"{conf}: OK\n"
    options = re.findall(r"^[#;]?\s*(\w+)\s*=", text, re.M)  # set or commented out
    assert "routing_strategy" in options and "cluster_user" in options, options
    literal = [o for o in options if o.endswith("password")]
    assert not literal, f"a literal password option in the example: {literal}"
    assert "cluster_password_file = /etc/grouter/cluster_password" in text


def uncomment_group_example(text, secrets):
    """The shipped example with its commented group part made live, as its comments tell an operator
    to: the section and option lines after '# [group_replication]' uncommented, [routing:primary]
    pointed at the group, the password files looked for in SECRETS instead of /etc/grouter."""
    lines = text.splitlines()
    start = lines.index("# [group_replication]")
    live = [re.sub(r"^# (\[[\w:.-]+\]|\w+ = .*)$", r"\1", line) for line in lines[start:]]
    text = "\n".join(lines[:start] + live) + "\n"
    return (text.replace("destinations = 127.0.0.1:3306",
                         "destinations = metadata-cache://mygroup/?role=PRIMARY")
            .replace("/etc/grouter/", f"{secrets}/"))


def test_commented_group_example_is_valid(deb, tmp_path):
    """The group, storage nodes, second route and admin port the example shows in comments pass
    --validate-config once uncommented, with the password files it names in place."""
    with tempfile.TemporaryDirectory() as root:
        run("dpkg-deb", "-x", deb, root)
        text = (Path(root) / "etc/grouter/grouter.conf").read_text()
        grouter = Path(root) / "usr/sbin/grouter"
        live = uncomment_group_example(text, tmp_path)
        sections = re.findall(r"^\[([\w:.-]+)\]$", live, re.M)
        assert {"group_replication", "storage_node:node3", "routing:secondary", "admin"} <= set(
            sections), sections
        path = tmp_path / "group.conf"
        path.write_text(live)
        missing = run(grouter, "--validate-config", path, check=False)
        assert missing.returncode == 1 and "cluster_password_file" in missing.stderr, missing.stderr
        (tmp_path / "cluster_password").write_text("a secret\n")
        (tmp_path / "recovery_password").write_text("another\n")
        done = run(grouter, "--validate-config", path)
        assert done.stdout == f"{path}: OK\n"


def test_install_creates_user_and_folders(package):
    user = pwd.getpwnam("grouter")
    assert user.pw_uid < 1000, "not a system user"
    assert user.pw_shell in ("/usr/sbin/nologin", "/bin/false")
    assert grp.getgrgid(user.pw_gid).gr_name == "grouter"
    for folder in (STATE_DIR, LOG_DIR):
        st = folder.stat()
        assert (st.st_uid, st.st_gid) == (user.pw_uid, user.pw_gid), f"{folder} not grouter's"
        assert stat.S_IMODE(st.st_mode) == 0o750, f"{folder}: {oct(st.st_mode)}"
    assert BIN.is_file() and os.access(BIN, os.X_OK)
    assert run("dpkg-query", "-W", "-f=${Status}", "grouter").stdout == "install ok installed"


def test_installed_config_validates(package):
    done = run(BIN, "--validate-config", CONF)
    assert done.stdout == f"{CONF}: OK\n" and done.returncode == 0


def test_unit_verifies(package):
    """systemd-analyze verify accepts the installed unit (no output at all), and the unit is the one
    asked for."""
    done = run("systemd-analyze", "verify", UNIT, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), done.stdout + done.stderr
    unit = UNIT.read_text()
    for setting in ("Type=notify", "User=grouter", "Restart=on-failure", "NoNewPrivileges=yes",
                    "ProtectSystem=strict", "ReadWritePaths=/var/lib/grouter /var/log/grouter",
                    f"ExecStart={BIN} --config {CONF}"):
        assert re.search(rf"^{re.escape(setting)}$", unit, re.M), f"{setting} not in the unit"


def test_unit_hardening_score(package):
    """systemd-analyze security rates the unit's exposure (0 best, 10 worst) from its sandboxing
    settings; the shipped unit stays at 2.0 or below (it is 1.5: what is left open is the network
    grouter serves, the host's root, /proc's non-process files and the group-readable umask)."""
    done = run("systemd-analyze", "security", "--offline=true", UNIT, check=False)
    found = re.search(r"Overall exposure level for grouter.service: (\d+\.\d+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= 2.0, done.stdout


def test_logrotate_config_parses(package):
    done = run("logrotate", "--debug", LOGROTATE)
    text = done.stdout + done.stderr
    assert "error" not in text.lower(), text
    assert "rotating pattern: /var/log/grouter/grouter.log" in text, text


@pytest.fixture
def sandbox_config(package, sandbox):
    """A copy of the installed configuration that differs only in where it listens and the route's
    destination: sandbox node 1 instead of 127.0.0.1:3306, free ports instead of 6446 and 8443 (so
    that the test never meets a server the machine runs on those). In a folder the grouter user can
    read."""
    ports = {"route": free_port(), "http": free_port()}
    original = CONF.read_text()
    changed = (original
               .replace("destinations = 127.0.0.1:3306", f"destinations = {sandbox.addr(1)}")
               .replace("bind_port = 6446", f"bind_port = {ports['route']}")
               .replace("port = 8443", f"port = {ports['http']}"))
    differing = [(a, b) for a, b in zip(original.splitlines(), changed.splitlines()) if a != b]
    assert len(differing) == 3, differing
    folder = Path(tempfile.mkdtemp(prefix="grouter-package-test-"))
    folder.chmod(0o755)
    path = folder / "grouter.conf"
    path.write_text(changed)
    path.chmod(0o644)
    yield path, ports, sandbox.port(1)
    shutil.rmtree(folder)


def test_installed_grouter_routes_and_reopens_its_log(sandbox_config):
    """/usr/sbin/grouter as the grouter user (as the unit runs it) with the installed configuration:
    it tells NOTIFY_SOCKET READY=1 once its ports listen, logs to /var/log/grouter, routes a mariadb
    CLI query to the sandbox node, and after logrotate moved its log and SIGHUP it writes to the new
    grouter.log."""
    config, ports, node_port = sandbox_config
    log = LOG_DIR / "grouter.log"
    notify_path = config.parent / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(str(notify_path))
        notify_path.chmod(0o666)  # the grouter user sends to it
        proc = subprocess.Popen(["setpriv", "--reuid=grouter", "--regid=grouter", "--clear-groups",
                                 str(BIN), "--config", str(config)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                env=dict(os.environ, NOTIFY_SOCKET=str(notify_path)))
        try:
            notify.settimeout(20)
            ready = notify.recv(4096).decode()
        except TimeoutError:
            proc.kill()
            raise AssertionError(f"no READY=1 within 20 s: {proc.communicate()[0]}")
    try:
        assert "READY=1" in ready.splitlines(), ready
        assert is_listening(ports["route"]) and is_listening(ports["http"])
        uid = pwd.getpwnam("grouter").pw_uid
        status = Path(f"/proc/{proc.pid}/status").read_text()
        assert re.search(rf"^Uid:\s+{uid}\s", status, re.M), "not running as the grouter user"

        done = cli(ports["route"], "SELECT @@port")
        assert done.returncode == 0 and done.stdout.strip() == str(node_port), done
        assert log.stat().st_uid == uid
        wait_until(lambda: "started with" in log.read_text(), 10, "the start-up line in the log")

        # logrotate moves the file (and creates an empty one); its postrotate signals grouter
        # through systemd, which is not PID 1 here: send the SIGHUP by pid instead.
        state = config.parent / "logrotate.state"
        run("logrotate", "--force", "--state", state, LOGROTATE)
        rotated = LOG_DIR / "grouter.log.1"
        assert rotated.is_file() and "started with" in rotated.read_text()
        os.kill(proc.pid, signal.SIGHUP)
        wait_until(lambda: "log file reopened" in log.read_text(), 10, "the new log after SIGHUP")
        assert cli(ports["route"], "SELECT 1").returncode == 0

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "grouter stopped" in log.read_text()
        assert "log file reopened" not in rotated.read_text()
        assert "grouter stopped" not in rotated.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_purge_removes_everything(package):
    run("dpkg", "--purge", "grouter")
    assert not installed()
    for path in (BIN, CONF, UNIT, LOGROTATE, STATE_DIR, LOG_DIR, Path("/etc/grouter"),
                 Path("/usr/share/doc/grouter")):
        assert not path.exists(), f"{path} left after purge"
    with pytest.raises(KeyError):
        pwd.getpwnam("grouter")
    with pytest.raises(KeyError):
        grp.getgrnam("grouter")
