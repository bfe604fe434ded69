"""Summarises sysbench runs: one line per (workload, threads, target) with the median trx/s, the
trx/s spread over the rounds, the median p95, the ratios to the cell's first target (the baseline,
e.g. direct) and, when the runs carry one, the median proxy CPU per transaction.

Input lines (tab-separated): workload threads target trx/s p95_ms errors [cpu_us_per_trx]; the last
column is empty or '-' for a target without a proxy. Used by bench.sh (as a script) and by
terminated_bench.py (print_table)."""
import sys
from collections import defaultdict


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def print_table(rows, out=sys.stdout):
    """rows: (workload, threads, target, tps, p95, errors[, cpu_us]) tuples or tab-separated lines."""
    runs = defaultdict(lambda: defaultdict(list))  # (workload, threads) -> {target: [samples]}
    has_cpu = False
    for row in rows:
        if isinstance(row, str):
            row = row.rstrip("\n").split("\t")
        workload, threads, target, tps, p95, errors, *rest = row
        cpu = rest[0] if rest and rest[0] not in ("", "-", None) else None
        has_cpu = has_cpu or cpu is not None
        runs[(workload, int(threads))][target].append(
            (float(tps), float(p95), int(errors or 0), None if cpu is None else float(cpu)))

    header = (f"{'workload':<18} {'threads':>7} {'target':<14} {'trx/s':>10} {'(min-max)':>15} "
              f"{'p95 ms':>8} {'trx/s x':>8} {'p95 x':>6} {'errors':>6}")
    print(header + (f" {'cpu us/trx':>10}" if has_cpu else ""), file=out)
    for (workload, threads), targets in runs.items():
        base_tps = base_p95 = None
        for target, samples in targets.items():
            tps, p95 = median(s[0] for s in samples), median(s[1] for s in samples)
            if base_tps is None:
                base_tps, base_p95 = tps, p95
            spread = f"({min(s[0] for s in samples):.0f}-{max(s[0] for s in samples):.0f})"
            line = (f"{workload:<18} {threads:>7} {target:<14} {tps:>10.1f} {spread:>15} "
                    f"{p95:>8.2f} {tps / base_tps:>8.2f} {p95 / base_p95:>6.2f} "
                    f"{sum(s[2] for s in samples):>6}")
            if has_cpu:
                cpus = [s[3] for s in samples if s[3] is not None]
                line += f" {median(cpus):>10.1f}" if cpus else f" {'-':>10}"
            print(line, file=out)


if __name__ == "__main__":
    with open(sys.argv[1]) as results:
        print_table(results)
