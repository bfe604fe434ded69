"""Runs sysbench against a MySQL endpoint and parses its report (shared with tests/bench)."""
import re
import subprocess

from clients import PASSWORD, USER


def run_sysbench(workload, port, command, options=(), timeout_s=300, ssl_dir=None):
    """ssl_dir: --mysql-ssl=on, run in ssl_dir, which must hold the files sysbench 1.0.20 reads
    from its working directory: cacert.pem, client-cert.pem and client-key.pem."""
    cmd = ["sysbench", workload, "--db-driver=mysql", "--mysql-host=127.0.0.1",
           f"--mysql-port={port}", f"--mysql-user={USER}", f"--mysql-password={PASSWORD}",
           f"--mysql-ssl={'on' if ssl_dir else 'off'}", *options, command]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=ssl_dir)


def parse_result(output):
    """-> {transactions, tps, errors, reconnects, p95_ms} from a `sysbench ... run` report."""
    def number(pattern, cast=float):
        m = re.search(pattern, output, re.MULTILINE)
        if not m:
            raise AssertionError(f"sysbench output has no match for {pattern!r}:\n{output}")
        return cast(m.group(1))
    return {
        "transactions": number(r"^\s*transactions:\s+(\d+)", int),
        "tps": number(r"^\s*transactions:\s+\d+\s+\(([\d.]+) per sec"),
        "errors": number(r"^\s*ignored errors:\s+(\d+)", int),
        "reconnects": number(r"^\s*reconnects:\s+(\d+)", int),
        "p95_ms": number(r"^\s*95th percentile:\s+([\d.]+)"),
    }
