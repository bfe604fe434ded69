"""The sandbox's fenced mode, which the group-replication work starts from: fresh nodes that come up
read-only with empty GTID sets and no replication, and that no one but grouter should set up."""
import subprocess

import pytest
import pymysql

from conftest import kBasePort
from harness import SANDBOX_SH

kFencedBasePort = kBasePort + 40


@pytest.fixture
def fenced(tmp_path):
    run = lambda *args, check=True: subprocess.run(  # noqa: E731
        [str(SANDBOX_SH), "--dir", str(tmp_path / "fenced"), *args], capture_output=True, text=True,
        check=check, stdin=subprocess.DEVNULL)
    run("init", "3", "--base-port", str(kFencedBasePort), "--fenced")
    try:
        run("start")
        yield run
    finally:
        run("destroy", check=False)


def test_fenced_nodes_start_read_only_with_empty_gtid_sets(fenced):
    for i in (1, 2, 3):
        out = fenced("sql", str(i), "SELECT @@read_only, @@gtid_binlog_pos, "
                     "@@rpl_semi_sync_master_enabled, @@rpl_semi_sync_slave_enabled").stdout.split("\t")
        assert [v.strip() for v in out] == ["1", "", "0", "1"], f"node {i}: {out}"
        status = fenced("sql", str(i), "SHOW SLAVE STATUS").stdout.strip()
        assert status == "", f"node {i} replicates already: {status}"


def test_fenced_nodes_refuse_ordinary_writes_and_replicate_refuses(fenced):
    conn = pymysql.connect(host="127.0.0.1", port=kFencedBasePort, user="app", password="app_pw",
                           database="test")
    try:
        with pytest.raises(pymysql.err.OperationalError) as err, conn.cursor() as cur:
            cur.execute("CREATE TABLE t (i INT)")
        assert err.value.args[0] == 1290
    finally:
        conn.close()
    out = fenced("replicate", check=False)
    assert out.returncode != 0 and "fenced" in out.stderr
