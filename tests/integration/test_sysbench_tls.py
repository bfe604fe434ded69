"""sysbench over TLS (--mysql-ssl=on) through a terminated route with client_ssl_mode = REQUIRED
(TLS on both legs): a few seconds of oltp_read_write finish with no error and no reconnect."""
import shutil

from sysbench_run import parse_result, run_sysbench
from test_sysbench import innodb_deadlocks, kOptions
from test_terminated import terminated, tls_paths


def sysbench_ssl_dir(sandbox, path):
    """The files sysbench 1.0.20 reads for --mysql-ssl=on (from its working directory): the
    sandbox's CA, and a client certificate (grouter asks for none: the router's own serves)."""
    paths = tls_paths(sandbox)
    path.mkdir(exist_ok=True)
    shutil.copy(paths["ca"], path / "cacert.pem")
    shutil.copy(paths["cert"], path / "client-cert.pem")
    shutil.copy(paths["key"], path / "client-key.pem")
    return str(path)


def test_oltp_read_write_over_tls_on_a_terminated_route(sandbox, grouter, tmp_path):
    g = grouter({"routing:tls": terminated(sandbox, client="REQUIRED", server="REQUIRED")})
    port = g.route_port("tls")
    ssl_dir = sysbench_ssl_dir(sandbox, tmp_path / "ssl")
    run_sysbench("oltp_read_write", port, "cleanup", kOptions, ssl_dir=ssl_dir)
    prep = run_sysbench("oltp_read_write", port, "prepare", kOptions, ssl_dir=ssl_dir)
    assert prep.returncode == 0, prep.stdout + prep.stderr
    try:
        deadlocks_before = innodb_deadlocks(sandbox)
        run = run_sysbench("oltp_read_write", port, "run",
                           kOptions + ["--time=8", "--threads=4", "--db-ps-mode=auto",
                                       "--report-interval=0"], timeout_s=120, ssl_dir=ssl_dir)
        deadlocks = innodb_deadlocks(sandbox) - deadlocks_before
        assert run.returncode == 0, run.stdout + run.stderr
        result = parse_result(run.stdout)
        assert result["errors"] <= deadlocks, run.stdout  # a deadlock victim is the server's verdict
        assert result["reconnects"] == 0, run.stdout
        assert result["transactions"] > 0, run.stdout
    finally:
        run_sysbench("oltp_read_write", port, "cleanup", kOptions, ssl_dir=ssl_dir)
    assert g.alive()
    # REQUIRED refuses a plain client: sysbench's sessions did use TLS.
    plain = run_sysbench("oltp_read_write", port, "cleanup", kOptions)
    assert plain.returncode != 0 and "4188" in plain.stdout + plain.stderr, plain.stdout + plain.stderr
