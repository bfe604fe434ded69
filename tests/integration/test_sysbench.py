"""sysbench oltp_read_write for 20 s through the read-write route finishes with zero errors."""
from sysbench_run import parse_result, run_sysbench

kOptions = ["--tables=2", "--table-size=10000", "--mysql-db=sbtest"]


def innodb_deadlocks(sandbox):
    return int(sandbox.sql(1, "SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'").split()[-1])


def test_oltp_read_write_20s_without_errors(sandbox, grouter):
    g = grouter({"routing:rw": {"destinations": sandbox.addr(1), "routing_strategy": "first-available"}})
    port = g.route_port("rw")
    run_sysbench("oltp_read_write", port, "cleanup", kOptions)
    prep = run_sysbench("oltp_read_write", port, "prepare", kOptions)
    assert prep.returncode == 0, prep.stdout + prep.stderr
    try:
        deadlocks_before = innodb_deadlocks(sandbox)
        run = run_sysbench("oltp_read_write", port, "run",
                           kOptions + ["--time=20", "--threads=4", "--db-ps-mode=auto",
                                       "--report-interval=0"], timeout_s=120)
        deadlocks = innodb_deadlocks(sandbox) - deadlocks_before
        assert run.returncode == 0, run.stdout + run.stderr
        result = parse_result(run.stdout)
        # sysbench retries a transaction the server chose as a deadlock victim and counts it as an
        # "ignored error": that is the server's verdict, relayed unchanged, not an error of the route.
        assert result["errors"] <= deadlocks, \
            f"{result['errors']} errors, of which only {deadlocks} are InnoDB deadlocks:\n{run.stdout}"
        assert result["reconnects"] == 0, run.stdout
        assert result["transactions"] > 0, run.stdout
    finally:
        run_sysbench("oltp_read_write", port, "cleanup", kOptions)
    assert g.alive()
