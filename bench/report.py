"""docs/PERFORMANCE.md from var/bench/results/*.json, with a PNG of latency against
concurrency. The hand-written notes between the `notes` markers of the existing file are
kept as they are."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results"
DOC = ROOT / "docs" / "PERFORMANCE.md"
GRAPH = ROOT / "docs" / "performance-latency.png"
NOTES = re.compile(r"<!-- begin notes -->.*<!-- end notes -->", re.S)
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PAGE_NAMES = {
    "floor": "framework floor (bare view)",
    "renewal": "holder's renewal page",
    "ledger": "CEC ledger",
    "invoice": "invoice page",
    "review": "reviewer queue",
}


def _machine() -> str:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    import sqlite3

    pg = subprocess.run(
        "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1",
        shell=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    pg_version = (
        subprocess.run([f"{pg}/postgres", "--version"], capture_output=True, text=True).stdout
        if pg
        else ""
    ).strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {pg_version or 'PostgreSQL not found'}; "
        f"load average when the report was written: {load} (the machine is shared)"
    )


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _load_tables(vendor, load) -> list[str]:
    pages = load["pages"]
    out = []
    levels = list(pages["floor"]["runs"])
    for level in levels:
        floor = pages["floor"]["runs"][level]
        out += [
            f"Concurrency {level} (wrk connections), {load['duration_s']} s per page in "
            f"{load.get('rounds', 1)} interleaved slices (median slice), gunicorn "
            f"{load['workers']} sync workers, CONN_MAX_AGE={load.get('db_conn_max_age', 0)}:",
            "",
            "| page | req/s | p50 ms | p99 ms | req/s vs floor | p99 vs floor | non-2xx |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for page, info in pages.items():
            run = info["runs"][level]
            out.append(
                f"| {PAGE_NAMES[page]} (`{info['path'].split('/invoices/')[0]}"
                f"{'/invoices/…' if '/invoices/' in info['path'] else ''}`) "
                f"| {run['rps']:.1f} | {run['p50_ms']:.1f} | {run['p99_ms']:.1f} "
                f"| {run['rps'] / floor['rps']:.0%} | {run['p99_ms'] / floor['p99_ms']:.1f}× "
                f"| {run['non_2xx']} |"
            )
        out.append("")
    return out


def _targets(vendor, data) -> list[str]:
    out = []
    load = data.get("load")
    if load:
        pages = load["pages"]
        for level in pages["floor"]["runs"]:
            floor = pages["floor"]["runs"][level]
            for page in ("renewal", "ledger"):
                run = pages[page]["runs"][level]
                rps = run["rps"] / floor["rps"]
                p99 = run["p99_ms"] / floor["p99_ms"]
                out.append(
                    f"| {LABELS[vendor]} | {page} at c={level} | ≥ 60 % of the floor's req/s: "
                    f"{rps:.0%} ({_ok(rps >= 0.6)}); p99 < 4× the floor's: {p99:.1f}× "
                    f"({_ok(p99 < 4)}) |"
                )
    run = data.get("invoice_run")
    if run:
        out.append(
            f"| {LABELS[vendor]} | invoice run, {run['issued']:,} holders | < 60 s: "
            f"{run['seconds']:.1f} s ({_ok(run['seconds'] < 60 and run['issued'] >= 50_000)}"
            f"{'' if run['issued'] >= 50_000 else '; fewer than 50,000 holders'}) |"
        )
    pdf = data.get("pdf")
    if pdf:
        ratio = pdf["certificate"]["ratio"]
        out.append(
            f"| {LABELS[vendor]} | certificate PDF | ≤ 1.5× bare WeasyPrint: {ratio:.2f}× "
            f"({_ok(ratio <= 1.5)}) |"
        )
    return out


def _graph(results) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    with_load = {v: d["load"] for v, d in results.items() if "load" in d}
    if not with_load:
        return False
    fig, axes = plt.subplots(1, len(with_load), figsize=(6.5 * len(with_load), 4.5), squeeze=False)
    for ax, (vendor, load) in zip(axes[0], with_load.items(), strict=True):
        for page, info in load["pages"].items():
            levels = [int(c) for c in info["runs"]]
            p50 = [info["runs"][str(c)]["p50_ms"] for c in levels]
            p99 = [info["runs"][str(c)]["p99_ms"] for c in levels]
            (line,) = ax.plot(levels, p50, marker="o", label=f"{page} p50")
            ax.plot(
                levels, p99, marker="x", linestyle="--", color=line.get_color(), label=f"{page} p99"
            )
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(levels, [str(c) for c in levels])
        ax.set_xlabel("concurrent connections (wrk)")
        ax.set_ylabel("latency, ms (log)")
        ax.set_title(f"{LABELS[vendor]}: latency against concurrency")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    GRAPH.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(GRAPH, dpi=110)
    return True


def write_report(command: str) -> None:
    results = {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
    notes = ""
    if DOC.exists():
        found = NOTES.search(DOC.read_text())
        notes = found.group(0) if found else ""
    lines = [
        "# Performance",
        "",
        "Figures of one `make bench` run (issue 9); `bench/` holds the code. Medians and",
        "ratios: the machine is shared with other work, so absolute figures move from run to",
        "run; ratios against the floor measured in the same run move much less.",
        "",
        f"- **Date:** {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- **Command:** `{command}`",
        f"- **Machine:** {_machine()}",
        "",
        "## Targets",
        "",
        "| database | what | target and result |",
        "|---|---|---|",
    ]
    for vendor, data in results.items():
        lines += _targets(vendor, data)
    for vendor, data in results.items():
        label = LABELS.get(vendor, vendor)
        lines += ["", f"## {label}", ""]
        gen = data.get("generate")
        if gen:
            lines += [
                f"### Data set: {gen['holders']:,} holders, {gen['rows']:,} rows bulk-inserted "
                f"in {gen['seconds']} s",
                "",
                "| table | rows | seconds |",
                "|---|---:|---:|",
                *[f"| {t['table']} | {t['rows']:,} | {t['seconds']} |" for t in gen["tables"]],
                "",
            ]
        run = data.get("invoice_run")
        if run:
            lines += [
                f"### Invoice run: {run['issued']:,} renewals with invoices in {run['seconds']} s",
                "",
                f"`issue_renewals({run['year']})` for every holder due, as `manage.py "
                f"issue_renewals` runs it: {run['invoices_per_s']:,} invoices/s, "
                f"{run['rows']:,} rows at {run['rows_per_s']:,} rows/s (CPU time of the "
                f"process: {run.get('cpu_seconds', '?')} s). Rows written:",
                "",
                "| table | rows |",
                "|---|---:|",
                *[f"| {name} | {count:,} |" for name, count in run["rows_by_table"].items()],
                "",
            ]
        if "waiting_submissions" in data:
            lines += [
                f"{data['waiting_submissions']:,} CEC submissions were then queued for the "
                "reviewer.",
                "",
            ]
        load = data.get("load")
        if load:
            lines += ["### Load run (gunicorn on loopback, wrk, signed-in sessions)", ""]
            lines += _load_tables(vendor, load)
        pdf = data.get("pdf")
        if pdf:
            lines += [
                f"### PDF render, median of {pdf['certificate']['runs']}",
                "",
                "| document | portal ms | bare WeasyPrint ms | ratio |",
                "|---|---:|---:|---:|",
                *[
                    f"| {name} | {r['portal_ms']} | {r['bare_ms']} | {r['ratio']:.2f}× |"
                    for name, r in pdf.items()
                ],
                "",
            ]
    if _graph(results):
        lines += [
            "## Latency against concurrency",
            "",
            f"![p50 and p99 latency per page against concurrency]({GRAPH.name})",
            "",
        ]
    lines += [notes or "<!-- begin notes -->\n<!-- end notes -->", ""]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(lines))
    print(f"  wrote {DOC.relative_to(ROOT)}")
