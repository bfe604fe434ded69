"""The campaign's outputs: results.json (every fault's record, the totals, the problems) and
summary.md (faults by kind, failovers, acknowledged writes, lost writes, time without a primary by
kind, how often the group waited for the operator)."""
import json
import statistics
from pathlib import Path


def by_kind(faults):
    """{kind: summary} in the order kinds first appear."""
    out = {}
    for f in faults:
        k = out.setdefault(f["kind"], {"faults": 0, "failovers": 0, "waited_for_operator": 0, "lost": 0,
                                       "failed_checks": 0, "no_primary_s": [], "reprovisioned": 0,
                                       "stuck": 0, "grouter_crashes": 0})
        k["faults"] += 1
        k["failovers"] += bool(f.get("failover"))
        k["waited_for_operator"] += bool(f.get("waited_for_operator"))
        k["lost"] += len(f.get("lost_ids", []))
        k["failed_checks"] += bool(f.get("check_failures"))
        k["reprovisioned"] += len(f.get("reprovisioned", []))
        k["stuck"] += bool(f.get("stuck"))
        k["grouter_crashes"] += len(f.get("grouter_crashes", []))
        if f.get("no_primary_s") is not None:
            k["no_primary_s"].append(f["no_primary_s"])
    for k in out.values():
        samples = k.pop("no_primary_s")
        k["no_primary_median_s"] = round(statistics.median(samples), 3) if samples else None
        k["no_primary_max_s"] = round(max(samples), 3) if samples else None
        k["no_primary_samples"] = len(samples)
    return out


def totals(faults, writer_counts, lost):
    return {"faults": len(faults),
            "failovers": sum(bool(f.get("failover")) for f in faults),
            "waited_for_operator": sum(bool(f.get("waited_for_operator")) for f in faults),
            "acknowledged": writer_counts.get("acknowledged", 0),
            "uncertain": writer_counts.get("uncertain", 0),
            "lost": len(lost),
            "failed_checks": sum(bool(f.get("check_failures")) for f in faults),
            "stuck": sum(bool(f.get("stuck")) for f in faults),
            "grouter_crashes": sum(len(f.get("grouter_crashes", [])) for f in faults)}


def write(out_dir, config, faults, writer_counts, lost, final, problems):
    """Writes results.json and summary.md into out_dir; returns the summary's text."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = by_kind(faults)
    total = totals(faults, writer_counts, lost)
    result = {"config": config, "totals": total, "by_kind": kinds, "writer": writer_counts,
              "lost": {str(i): where for i, where in sorted(lost.items())}, "final_check": final,
              "faults": faults, "problems": problems, "ok": not problems}
    (out_dir / "results.json").write_text(json.dumps(result, indent=2, default=str))
    text = markdown(config, total, kinds, lost, final, faults, problems)
    (out_dir / "summary.md").write_text(text)
    return text


def _fmt(v):
    return "-" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))


def markdown(config, total, kinds, lost, final, faults, problems):
    lines = [f"# Fault campaign: {config['nodes']} nodes, {total['faults']} faults, seed {config['seed']}",
             "", f"grouter: {config.get('grouter_version', '?')} (commit {config.get('commit', '?')}), "
             f"{config.get('date', '')}", "",
             f"- result: **{'ok' if not problems else 'FAILED'}**",
             f"- acknowledged writes: {total['acknowledged']} (uncertain: {total['uncertain']})",
             f"- lost acknowledged writes: **{total['lost']}**",
             f"- failovers: {total['failovers']}",
             f"- waited for the operator: {total['waited_for_operator']}",
             f"- faults whose checks failed: {total['failed_checks']}",
             f"- stuck without an ONLINE primary (not waiting for the operator; grouter restarted): "
             f"{total['stuck']}",
             f"- grouter crashes (exited by itself): {total['grouter_crashes']}", "",
             "| kind | faults | failovers | no primary median s | max s | waited for operator | "
             "lost | failed checks | rebuilt | stuck | grouter crashes |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for kind, k in kinds.items():
        lines.append(f"| {kind} | {k['faults']} | {k['failovers']} | {_fmt(k['no_primary_median_s'])} | "
                     f"{_fmt(k['no_primary_max_s'])} | {k['waited_for_operator']} | {k['lost']} | "
                     f"{k['failed_checks']} | {k['reprovisioned']} | {k['stuck']} | {k['grouter_crashes']} |")
    lines += ["", "Time without a primary: from the fault to the first acknowledged write sent after it. "
              "Rebuilt: members with errant transactions rebuilt from the primary (the operator's fix).",
              "", "## Faults", "",
              "| # | kind | targets | hold s | no primary s | failover | operator | lost | notes |",
              "|---|---|---|---|---|---|---|---|---|"]
    for f in faults:
        targets = ", ".join(f"{r}=node{n}" for r, n in f.get("targets", {}).items())
        operator = "waited" if f.get("waited_for_operator") else ("stuck" if f.get("stuck") else "")
        lost_ids = f.get("lost_ids", [])
        notes = "; ".join(f.get("notes", []) + f.get("check_failures", []))
        if f.get("grouter_crashes"):
            notes += f"; grouter crashed ({f['grouter_crashes']})"
        lines.append(f"| {f['index']} | {f['kind']} | {targets} | {_fmt(f.get('hold_s'))} | "
                     f"{_fmt(f.get('no_primary_s'))} | {'yes' if f.get('failover') else 'no'} | {operator} | "
                     f"{len(lost_ids)} | {notes} |")
    if lost:
        lines += ["", "## Lost acknowledged writes", ""]
        for f in faults:
            if f.get("lost_ids"):
                lines.append(f"- after fault {f['index']} ({f['kind']}, {f.get('targets')}): "
                             f"{len(f['lost_ids'])} ids: {compact(f['lost_ids'])}")
    if final:
        lines += ["", f"Final check: {json.dumps(final)}"]
    if problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in problems]
    return "\n".join(lines) + "\n"


def compact(ids):
    """[1,2,3,7,9,10] -> '1-3, 7, 9-10'."""
    ids = sorted(ids)
    ranges, start = [], None
    for i, v in enumerate(ids):
        if start is None:
            start = v
        if i + 1 == len(ids) or ids[i + 1] != v + 1:
            ranges.append(str(start) if start == v else f"{start}-{v}")
            start = None
    return ", ".join(ranges)
