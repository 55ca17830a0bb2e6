#!/usr/bin/env python3
"""Tabulates W1 runs: the median per phase of quire (w1) and the baseline, and their ratio.

usage: compare.py [--markdown] FILE.json...

Each FILE is the --json report of one run of benchmarks/w1 or benchmarks/baseline. Runs are
grouped by program and scale; for every scale that has both programs, one table gives per phase
the medians of ops/s and of p50/p99 latency, and quire's time per operation divided by the
baseline's (mean: what ops/s says; p50: the typical operation, without the checkpoint stalls both
programs share; cpu: processor time per operation, the figure least skewed by other work on the
machine). With two scales, a second table gives how the time per operation grew.
Python 3 standard library only.
"""

import json
import statistics
import sys

WRITES = {"create", "update", "publish", "restore", "create_full"}
READS = {"get", "list", "search", "versions", "audit"}
TARGET = {"write": 1.5, "read": 1.3}
GROWTH_TARGET = 1.25
RSS_TARGET_MIB = 64


def load(paths):
    runs = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            run = json.load(f)
        runs.setdefault((run["program"], run["scale"]), []).append(run)
    return runs


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def phase_medians(runs):
    """{phase: {ops, ops_per_s, mean_us, p50_us, p99_us, errors, checks, skipped}} over runs."""
    names = []
    for run in runs:
        for p in run["phases"]:
            if p["name"] not in names:
                names.append(p["name"])
    out = {}
    for name in names:
        rows = [p for run in runs for p in run["phases"] if p["name"] == name]
        ran = [p for p in rows if not p.get("skipped")]
        out[name] = {
            "ops": median([p["ops"] for p in ran]),
            "ops_per_s": median([p["ops_per_s"] for p in ran]),
            "mean_us": median([p["mean_us"] for p in ran]),
            "p50_us": median([p["p50_us"] for p in ran]),
            "p99_us": median([p["p99_us"] for p in ran]),
            "cpu_us": median([p.get("cpu_us") for p in ran]),
            "kib_per_op": median([p["write_bytes"] / 1024 / p["ops"] for p in ran
                                  if "write_bytes" in p and p["ops"]]),
            "writes_per_op": median([p["write_calls"] / p["ops"] for p in ran
                                     if "write_calls" in p and p["ops"]]),
            "errors": sum(p["errors"] for p in rows),
            "checks": sorted({p["check"] for p in ran}),
            "skipped": next((p["skipped"] for p in rows if p.get("skipped")), None),
        }
    return out


def run_medians(runs):
    keys = ["wall_seconds", "setup_seconds", "peak_rss_kib", "peak_rss_workload_kib", "db_bytes"]
    return {k: median([r.get(k) for r in runs]) for k in keys}


def fmt(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def ratio_text(value, limit):
    if value is None:
        return "—"
    mark = "" if limit is None else (" ✓" if value <= limit else " ✗")
    return f"{value:.2f}{mark}"


def table(headers, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def compare(quire_runs, base_runs, scale, markdown):
    q, b = phase_medians(quire_runs), phase_medians(base_runs)
    rows, notes = [], []
    for name in list(dict.fromkeys(list(q) + list(b))):
        qp, bp = q.get(name), b.get(name)
        kind = "write" if name in WRITES else "read"
        limit = TARGET[kind]
        if qp is None or bp is None or qp["skipped"] or bp["skipped"]:
            why = (qp or {}).get("skipped") or (bp or {}).get("skipped") or "missing"
            rows.append([name, kind, fmt((bp or {}).get("ops")), f"skipped ({why})", "", "", "",
                         fmt((bp or {}).get("ops_per_s")), fmt((bp or {}).get("p50_us"), 1),
                         fmt((bp or {}).get("p99_us"), 1), fmt((bp or {}).get("cpu_us"), 1),
                         "—", "—", "—"])
            continue
        def ratio(key):
            return qp[key] / bp[key] if qp[key] is not None and bp[key] else None
        rows.append([name, kind, fmt(qp["ops"]), fmt(qp["ops_per_s"]), fmt(qp["p50_us"], 1),
                     fmt(qp["p99_us"], 1), fmt(qp["cpu_us"], 1), fmt(bp["ops_per_s"]),
                     fmt(bp["p50_us"], 1), fmt(bp["p99_us"], 1), fmt(bp["cpu_us"], 1),
                     ratio_text(ratio("mean_us"), limit), ratio_text(ratio("p50_us"), None),
                     ratio_text(ratio("cpu_us"), None)])
        if qp["errors"] or bp["errors"]:
            notes.append(f"{name}: errors quire {qp['errors']}, baseline {bp['errors']}")
        if qp["checks"] != bp["checks"]:
            notes.append(f"{name}: the programs did different work (check {qp['checks']} vs "
                         f"{bp['checks']})")
    headers = ["phase", "kind", "ops", "quire ops/s", "p50 µs", "p99 µs", "cpu µs",
               "baseline ops/s", "p50 µs", "p99 µs", "cpu µs", "quire ÷ baseline", "÷ at p50",
               "÷ cpu"]
    if markdown:
        headers = ["phase", "kind", "ops", "quire ops/s", "quire p50 µs", "quire p99 µs",
                   "quire cpu µs/op", "baseline ops/s", "baseline p50 µs", "baseline p99 µs",
                   "baseline cpu µs/op", "quire ÷ baseline (time/op)", "÷ at p50", "÷ cpu"]
    out = [f"W1 at scale {scale}: medians of {len(quire_runs)} quire and {len(base_runs)} baseline "
           f"runs (ratio: time per operation; ✓ within the target: writes ≤ {TARGET['write']}×, "
           f"reads ≤ {TARGET['read']}×)", "", table(headers, rows, markdown), ""]
    qr, br = run_medians(quire_runs), run_medians(base_runs)
    run_rows = [
        ["wall time of the phases (s)", fmt(qr["wall_seconds"], 1), fmt(br["wall_seconds"], 1)],
        ["setup, not timed (s)", fmt(qr["setup_seconds"], 1), fmt(br["setup_seconds"], 1)],
        ["peak RSS, whole process (MiB)", fmt((qr["peak_rss_kib"] or 0) / 1024, 1),
         fmt((br["peak_rss_kib"] or 0) / 1024, 1)],
        ["peak RSS after setup (MiB)", fmt((qr["peak_rss_workload_kib"] or 0) / 1024, 1)
         + (" ✓" if (qr["peak_rss_workload_kib"] or 0) / 1024 < RSS_TARGET_MIB else " ✗"),
         fmt((br["peak_rss_workload_kib"] or 0) / 1024, 1)],
        ["database + WAL (MiB)", fmt((qr["db_bytes"] or 0) / 1048576, 1),
         fmt((br["db_bytes"] or 0) / 1048576, 1)],
    ]
    out += [table(["run", "quire", "baseline"], run_rows, markdown)]
    io_rows = []
    for name in q:
        if name not in WRITES or name not in b or q[name]["skipped"] or b[name]["skipped"]:
            continue
        qk, bk = q[name]["kib_per_op"], b[name]["kib_per_op"]
        io_rows.append([name, fmt(qk, 1), fmt(q[name]["writes_per_op"], 1), fmt(bk, 1),
                        fmt(b[name]["writes_per_op"], 1),
                        ratio_text(qk / bk if qk is not None and bk else None, None)])
    if io_rows:
        out += ["", "Written per write operation (WAL frames and checkpoints, /proc/self/io):", "",
                table(["phase", "quire KiB", "quire calls", "baseline KiB", "baseline calls",
                       "quire ÷ baseline"], io_rows, markdown)]
    loads = [r.get("load_start") for r in quire_runs + base_runs]
    out += ["", f"load average (1 5 15 min) at the start of each run: {'; '.join(loads)}"]
    if notes:
        out += [""] + [f"note: {n}" for n in notes]
    return "\n".join(out)


def growth(runs, small, large, markdown):
    rows = []
    programs = [("w1", "quire"), ("baseline", "baseline")]
    per = {label: (phase_medians(runs[(prog, small)]), phase_medians(runs[(prog, large)]))
           for prog, label in programs if (prog, small) in runs and (prog, large) in runs}
    names = list(dict.fromkeys(n for s, l in per.values() for n in list(s) + list(l)))
    for name in names:
        row = [name]
        for _, label in programs:
            s, l = per.get(label, ({}, {}))
            sp, lp = s.get(name), l.get(name)
            if not sp or not lp or sp["skipped"] or lp["skipped"] or not sp["mean_us"]:
                row += ["—", "—", "—"]
                continue
            limit = GROWTH_TARGET if label == "quire" else None
            row += [ratio_text(lp["mean_us"] / sp["mean_us"], limit),
                    ratio_text(lp["p50_us"] / sp["p50_us"] if sp["p50_us"] else None, None),
                    ratio_text(lp["cpu_us"] / sp["cpu_us"]
                               if lp["cpu_us"] is not None and sp["cpu_us"] else None, limit)]
        rows.append(row)
    headers = ["phase", "quire: time/op growth", "at p50", "cpu/op", "baseline: time/op growth",
               "at p50", "cpu/op"]
    return "\n".join([f"Time per operation at scale {large} ÷ scale {small} (target for quire "
                      f"≤ {GROWTH_TARGET}×)", "", table(headers, rows, markdown)])


def main(argv):
    markdown = "--markdown" in argv
    paths = [a for a in argv if a != "--markdown"]
    if not paths or any(p.startswith("-") for p in paths):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = load(paths)
    scales = sorted({scale for _, scale in runs})
    parts = []
    for scale in scales:
        q, b = runs.get(("w1", scale)), runs.get(("baseline", scale))
        if q and b:
            parts.append(compare(q, b, scale, markdown))
        else:
            parts.append(f"scale {scale}: need runs of both w1 and baseline")
    if len(scales) >= 2:
        parts.append(growth(runs, scales[0], scales[-1], markdown))
    print("\n\n".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
