"""Sessions of the read/write-splitting route (and of a terminated primary route) across a failover (issue 9, item 6), on a real group:
an idle session without pinned state carries on on the new primary with its session state and no
error; a session inside a transaction gets 2013 for its next statement, then goes on; a session
holding a temporary table ends; a session with prepared statements (mysql2, server-side) carries on
with the statements it prepared, under the same ids. The old primary (node3, weight 80) is killed with SIGKILL; node2
(weight 50) takes over."""
import subprocess

import pymysql
import pytest

from clients import CLIENTS_DIR, PASSWORD, USER, install_mysql2, query, scalar
from group_harness import wait_for_primary
from split_harness import connect, split_route, start_split_group


@pytest.fixture
def split_group_for_failover(tmp_path):
    yield from start_split_group(tmp_path, {
        "rw": split_route(),
        # A terminated route to the primary only: the same command loop, without a secondary leg.
        "primary_t": {"destinations": "metadata-cache://mygroup/?role=PRIMARY",
                      "client_ssl_mode": "DISABLED", "server_ssl_mode": "DISABLED"}})


def test_sessions_on_the_split_port_across_a_failover(split_group_for_failover):
    sb, g = split_group_for_failover
    query_conn = connect(g)
    query(query_conn, "CREATE TABLE moved (id INT PRIMARY KEY)")
    query_conn.close()
    idle = connect(g, io_timeout=30)
    query(idle, "SET @marker = 7")
    query(idle, "SET SESSION sql_mode = 'ANSI_QUOTES'")
    query(idle, "INSERT INTO moved VALUES (1)")
    assert scalar(idle, "SELECT @@server_id FOR UPDATE") == 3
    in_transaction = connect(g, io_timeout=30)
    query(in_transaction, "BEGIN")
    query(in_transaction, "INSERT INTO moved VALUES (2)")
    pinned = connect(g, io_timeout=30)
    query(pinned, "CREATE TEMPORARY TABLE mine (a INT)")
    primary_only = connect(g, "primary_t", io_timeout=30)
    query(primary_only, "SET @marker = 9")
    assert scalar(primary_only, "SELECT @@server_id") == 3

    sb.kill(3)
    wait_for_primary(g, 30, exclude=[sb.addr(3)])

    # The idle session: its next statement runs on the new primary, with its state, no error.
    row = query(idle, "SELECT @@server_id, @marker, @@SESSION.sql_mode FROM moved WHERE id = 1 "
                      "FOR UPDATE")
    assert row == ((2, 7, "ANSI_QUOTES"),), row
    query(idle, "INSERT INTO moved VALUES (3)")
    # Inside a transaction: 2013 once (the transaction is gone), then the session goes on.
    with pytest.raises(pymysql.err.OperationalError) as lost:
        query(in_transaction, "INSERT INTO moved VALUES (4)")
    assert lost.value.args[0] == 2013, lost.value.args
    query(in_transaction, "INSERT INTO moved VALUES (4)")
    assert scalar(in_transaction, "SELECT COUNT(*) FROM moved WHERE id = 2 FOR UPDATE") == 0
    assert scalar(in_transaction, "SELECT @@server_id FOR UPDATE") == 2
    # A temporary table lived on the lost primary: that session cannot carry on.
    with pytest.raises(pymysql.err.OperationalError) as ended:
        query(pinned, "SELECT * FROM mine")
    assert ended.value.args[0] in (2006, 2013), ended.value.args
    # The terminated primary route: its idle session carries on too.
    assert query(primary_only, "SELECT @@server_id, @marker") == ((2, 9),)
    for conn in (idle, in_transaction, primary_only):
        conn.close()


def test_prepared_statements_carry_on_on_the_new_primary(split_group_for_failover, tmp_path):
    """mysql2 prepares each statement once per connection and executes it by the id the first
    primary gave it: after the failover grouter has prepared them again on the new primary and
    maps the client's ids to the new ones."""
    sb, g = split_group_for_failover
    install_mysql2()
    setup = connect(g)
    query(setup, "CREATE TABLE moved_ps (id INT PRIMARY KEY, note VARCHAR(20))")
    setup.close()
    flag = tmp_path / "primary-killed"
    insert = "ps:INSERT INTO moved_ps VALUES (?, ?)"
    where = "ps:SELECT @@server_id, COUNT(*) FROM moved_ps WHERE id <= ? FOR UPDATE"
    # A statement prepared and closed first: the first primary's ids for the two statements are
    # 2 and 3, the new primary's (prepared again in order) 1 and 2, so the ids must be mapped.
    statements = ["ps:SELECT 1", "unprepare:SELECT 1", f"{insert}|1|before", f"{where}|10",
                  f"wait:{flag}",
                  f"{insert}|2|after", f"{where}|10", f"{insert}|3|again"]
    client = subprocess.Popen(
        ["node", str(CLIENTS_DIR / "node" / "sql_client.js"), "127.0.0.1",
         str(g.route_port("rw")), USER, PASSWORD, "--opt", "database=test", *statements],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in client.stdout:  # up to the wait: the statements ran on the first primary
            lines.append(line.rstrip("\n"))
            if line.startswith("waiting") or line.startswith("error"):
                break
        assert lines == ["connected", "row\t1", "closed", "ok\t1", "row\t3\t1", "waiting"], lines
        sb.kill(3)
        wait_for_primary(g, 30, exclude=[sb.addr(3)])
        flag.touch()
        rest, err = client.communicate(timeout=60)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    assert client.returncode == 0, (rest, err)
    # The same statements, by the same ids, on node2; the rows written before are there.
    assert rest.splitlines() == ["ok\t1", "row\t2\t2", "ok\t1"], rest
    check = connect(g)
    assert query(check, "SELECT id, note FROM moved_ps ORDER BY id FOR UPDATE") == (
        (1, "before"), (2, "after"), (3, "again"))
    check.close()
