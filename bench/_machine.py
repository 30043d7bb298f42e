"""How busy the machine is: the benchmarks share 2 cores with whatever else runs on it."""

import time
from pathlib import Path


def cpu_ticks() -> tuple[int, int]:
    """(all ticks, idle ticks) of every core so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values[:8]), values[3] + values[4]  # user … steal; idle + iowait


def group_cpu_ticks(pgid: int) -> int:
    """User + system CPU ticks of every process in the process group (gunicorn and its workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, … utime(11), stime(12)
            total += int(fields[11]) + int(fields[12])
    return total


def named_cpu_ticks(name: str) -> dict[int, int]:
    """User + system CPU ticks of each process whose command is `name` (e.g. postgres), by pid."""
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended meanwhile
        command, fields = text.split("(", 1)[1].rsplit(")", 1)
        if command == name:
            fields = fields.split()
            ticks[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return ticks


def ticks_since(before: dict[int, int], after: dict[int, int]) -> int:
    """CPU ticks used between two `named_cpu_ticks` samples by the processes alive at the second
    (a process that ended meanwhile takes its ticks with it: leaving it out undercounts a little,
    where subtracting the sums would count its whole life against the run)."""
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def cpu_busy(seconds: float = 2.0) -> float:
    """The share of all cores busy during `seconds`: with gunicorn drained, other work."""
    total_before, idle_before = cpu_ticks()
    time.sleep(seconds)
    total, idle = cpu_ticks()
    return 1 - (idle - idle_before) / max(total - total_before, 1)


def wait_idle(threshold: float, limit: float = 120) -> float:
    """Wait (at most `limit` s) until other work keeps less than `threshold` of the cores busy."""
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy >= threshold and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy
