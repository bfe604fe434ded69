"""The fault campaign's short version for CI (tests/campaign/campaign.py): 3 nodes, 10 randomized
faults with a fixed seed (every kind at least once), a writer through the primary route all along.
No acknowledged write may be lost and every check (acknowledged writes on the primary, equal table
checksums on the ONLINE members, a healed group after each fault) must pass. About 3-5 minutes.

The campaign runs as its own process on its own sandbox (base port GROUTER_CAMPAIGN_BASE_PORT,
default 4540) and stops everything it started; its results.json and summary.md stay in tmp_path.
"""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from harness import GROUTER_BIN, REPO

CAMPAIGN = REPO / "tests" / "campaign" / "campaign.py"
kBasePort = int(os.environ.get("GROUTER_CAMPAIGN_BASE_PORT", "4540"))
kSeed = 8
kFaults = 10
kTimeoutS = 420


def run_campaign(command):
    """Runs the campaign; past kTimeoutS it is interrupted (SIGINT: it stops its nodes and grouter
    and writes what it gathered) rather than killed, so that nothing it started outlives the test."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=kTimeoutS)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        stderr = f"timed out after {kTimeoutS}s and was interrupted\n{stderr}"
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def test_campaign_loses_no_acknowledged_write(tmp_path):
    out = tmp_path / "out"
    done = run_campaign([sys.executable, str(CAMPAIGN), "--nodes", "3", "--faults", str(kFaults),
                         "--seed", str(kSeed), "--out", str(out), "--base-port", str(kBasePort),
                         "--grouter-bin", GROUTER_BIN, "--workdir", str(tmp_path / "work")])
    results_path = Path(out) / "results.json"
    assert results_path.exists(), f"no results (exit {done.returncode}):\n{done.stderr[-6000:]}"
    results = json.loads(results_path.read_text())
    summary = (Path(out) / "summary.md").read_text()
    assert len(results["faults"]) == kFaults, summary
    assert results["totals"]["lost"] == 0, f"acknowledged writes lost:\n{summary}"
    assert results["ok"] and not results["problems"], summary
    assert done.returncode == 0, f"{summary}\n{done.stderr[-4000:]}"
    assert results["totals"]["acknowledged"] > 0
