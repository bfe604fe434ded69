"""Session lifetimes through a route: a client leaving mid-query, a storage node dying mid-query, and a
clean shutdown with clients connected."""
import signal
import subprocess
import threading

import pymysql

from clients import PASSWORD, USER, connect, scalar, server_id
from harness import standard_routes, wait_until


def app_threads(sandbox, node):
    return int(sandbox.sql(node, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                 "WHERE USER = 'app'"))


def test_client_leaving_mid_query_closes_the_server_connection(cluster, grouter):
    g = grouter({"routing:r": {"destinations": cluster.addr(3)}})
    wait_until(lambda: app_threads(cluster, 3) == 0, 30, "no app sessions left on node 3")
    client = subprocess.Popen(
        ["mariadb", "--no-defaults", "--protocol=TCP", "-h", "127.0.0.1", "-P", str(g.route_port("r")),
         "-u", USER, f"-p{PASSWORD}", "-e", "SELECT SLEEP(30)"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: app_threads(cluster, 3) == 1, 10, "the query to run on node 3")
        client.send_signal(signal.SIGKILL)
        client.wait()
        # MariaDB notices a closed connection in SLEEP() within about 5 s; 30 s is the query's own end
        wait_until(lambda: app_threads(cluster, 3) == 0, 15,
                   "grouter to close its server connection after the client left")
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()


def test_node_killed_mid_query_loses_that_client_only(cluster, grouter):
    g = grouter({"routing:doomed": {"destinations": cluster.addr(3)},
                 "routing:other": {"destinations": cluster.addr(2)}})
    victim = connect(g.route_port("doomed"), read_timeout=60)
    bystander = connect(g.route_port("other"))
    outcome = {}

    def long_query():
        try:
            scalar(victim, "SELECT SLEEP(30)")
            outcome["result"] = "finished"
        except pymysql.err.MySQLError as err:
            outcome["error"] = err.args
    t = threading.Thread(target=long_query)
    t.start()
    try:
        wait_until(lambda: app_threads(cluster, 3) == 1, 10, "the query to run on node 3")
        cluster.kill(3)
        t.join(20)
        assert not t.is_alive(), "the client was not told that its server went away"
        assert "error" in outcome, outcome
        assert outcome["error"][0] == 2013, outcome  # Lost connection to MySQL server during query
        assert scalar(bystander, "SELECT @@server_id") == 2
        assert server_id(g.route_port("other")) == 2
    finally:
        t.join(40)
        victim.close()
        bystander.close()
    assert g.alive()


def test_sigterm_with_clients_connected_exits_0(sandbox, grouter):
    g = grouter(standard_routes(sandbox))
    held = [connect(g.route_port("rw")), connect(g.route_port("ro"))]
    try:
        g.stop()
    finally:
        for c in held:
            try:
                c.close()
            except pymysql.err.Error:
                pass


def test_sigint_exits_0(sandbox, grouter):
    g = grouter(standard_routes(sandbox))
    assert server_id(g.route_port("rw")) == 1
    assert g.signal_and_wait(signal.SIGINT) == 0


def test_sigterm_exits_0(sandbox, grouter):
    g = grouter(standard_routes(sandbox))
    assert server_id(g.route_port("rw")) == 1
    g.stop()
