import sys
from collections import defaultdict

runs = defaultdict(list)  # (workload, threads, target) -> [(tps, p95, errors)]
order = []
for line in open(sys.argv[1]):
    workload, threads, target, tps, p95, errors = line.rstrip("\n").split("\t")
    key = (workload, int(threads), target)
    if key not in runs:
        order.append(key)
    runs[key].append((float(tps), float(p95), int(errors or 0)))


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


print(f"{'workload':<18} {'threads':>7} {'target':<8} {'trx/s':>10} {'(min-max)':>15} "
      f"{'p95 ms':>8} {'trx/s x':>8} {'p95 x':>6} {'errors':>6}")
for workload, threads in dict.fromkeys((w, t) for w, t, _ in order):
    cell = {}
    for target in ("direct", "grouter", "haproxy"):
        samples = runs[(workload, threads, target)]
        cell[target] = (median(s[0] for s in samples), median(s[1] for s in samples),
                        min(s[0] for s in samples), max(s[0] for s in samples),
                        sum(s[2] for s in samples))
    base_tps, base_p95 = cell["direct"][0], cell["direct"][1]
    for target, (tps, p95, low, high, errors) in cell.items():
        spread = f"({low:.0f}-{high:.0f})"
        print(f"{workload:<18} {threads:>7} {target:<8} {tps:>10.1f} {spread:>15} "
              f"{p95:>8.2f} {tps / base_tps:>8.2f} {p95 / base_p95:>6.2f} {errors:>6}")
