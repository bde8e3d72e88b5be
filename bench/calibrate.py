"""How fast this machine is right now, so runs on different machines (or on one machine
under different load) can be compared: a fixed pure-Python workload, a fixed SQLite
insert, and the production password hash, each the median of a few runs, with the load
average when they ran.

None of it touches the portal's data: the SQLite figure uses a throwaway file in
var/bench. Divide a figure of the report by the calibration's ratio to another run's
calibration to compare the two runs.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from pathlib import Path

from django.contrib.auth.hashers import get_hasher

VAR = Path(__file__).resolve().parent.parent / "var" / "bench"
RUNS = 5
SQLITE_ROWS = 100_000
PASSWORD = "calibration password 2026"


def python_workload() -> int:
    """A fixed mix of what a Django request does in Python: dict and attribute look-ups,
    string formatting and joining, small lists, sorting. Always the same work."""
    total = 0
    rows = []
    for n in range(60_000):
        row = {"id": n, "name": f"Holder{n % 997}", "hours": (n * 7) % 13, "tag": "x" * (n % 5)}
        rows.append(row)
        total += len(row["name"]) + row["hours"]
    rows.sort(key=lambda r: (r["hours"], r["name"]))
    text = "".join(f"<td>{r['name']}</td><td>{r['hours']}</td>" for r in rows[:20_000])
    return total + len(text)


def _python_ms() -> float:
    samples = []
    for _ in range(RUNS):
        started = time.process_time()
        python_workload()
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def _sqlite_rows_per_s() -> float:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "calibrate.sqlite3"
    samples = []
    for _ in range(3):
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE entry (id INTEGER PRIMARY KEY, holder INTEGER, hours TEXT, title TEXT)"
        )
        db.execute("CREATE INDEX entry_holder ON entry (holder)")
        rows = [(n, n % 5000, "1.50", f"Class {n % 20}") for n in range(SQLITE_ROWS)]
        started = time.perf_counter()
        with db:
            db.executemany("INSERT INTO entry VALUES (?, ?, ?, ?)", rows)
        samples.append(SQLITE_ROWS / (time.perf_counter() - started))
        db.close()
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return statistics.median(samples)


def _hash_ms() -> tuple[str, float]:
    hasher = get_hasher()  # the first of PASSWORD_HASHERS: what production stores
    encoded = hasher.encode(PASSWORD, hasher.salt())
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        assert hasher.verify(PASSWORD, encoded)
        samples.append((time.perf_counter() - started) * 1000)
    return hasher.algorithm, statistics.median(samples)


def calibrate() -> dict:
    load_before = os.getloadavg()
    python_ms = _python_ms()
    sqlite_rate = _sqlite_rows_per_s()
    algorithm, hash_ms = _hash_ms()
    result = {
        "python_ms": round(python_ms, 1),
        "sqlite_rows_per_s": round(sqlite_rate),
        "hash_algorithm": algorithm,
        "hash_ms": round(hash_ms, 1),
        "loadavg": [round(x, 2) for x in load_before],
        "cpus": os.cpu_count(),
    }
    print(
        f"  calibration: pure-Python workload {python_ms:.0f} ms CPU, SQLite "
        f"{sqlite_rate:,.0f} inserts/s, {algorithm} check {hash_ms:.0f} ms "
        f"(load average {load_before[0]:.1f})",
        flush=True,
    )
    return result
