"""Peak resident memory of named process trees, from /proc: the kernel's own high-water
mark (VmHWM) of every process, plus sampled VmRSS of each whole tree (PostgreSQL and any
forking server spread their memory over children)."""
from __future__ import annotations

import asyncio
from pathlib import Path

PROC = Path("/proc")


def status_kib(status_text: str, field: str) -> int | None:
    """A `Field:   1234 kB` line of /proc/<pid>/status, in KiB."""
    for line in status_text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _read_status(pid: int) -> str | None:
    try:
        return (PROC / str(pid) / "status").read_text()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found  # the process ended between two samples
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += _children(current)
    return pids


class PeakRss:
    """Samples registered trees until stopped; `peaks()` gives MB per name."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self.roots: dict[str, int] = {}
        self._hwm: dict[str, int] = {}
        self._tree: dict[str, int] = {}
        self._task: asyncio.Task | None = None

    def watch(self, name: str, pid: int | None) -> None:
        if pid:
            self.roots[name] = pid

    def sample(self) -> None:
        for name, root in self.roots.items():
            tree_rss = 0
            for pid in tree(root):
                text = _read_status(pid)
                if text is None:
                    continue
                tree_rss += status_kib(text, "VmRSS") or 0
                hwm = status_kib(text, "VmHWM") or 0
                self._hwm[name] = max(self._hwm.get(name, 0), hwm)
            self._tree[name] = max(self._tree.get(name, 0), tree_rss)

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.sample()

    def peaks(self) -> dict[str, dict[str, float]]:
        """peak_process_mb: the largest single process of the tree (the target's unit);
        peak_tree_mb: the largest sampled sum over the tree."""
        return {name: {"peak_process_mb": round(self._hwm.get(name, 0) / 1024, 1),
                       "peak_tree_mb": round(self._tree.get(name, 0) / 1024, 1)}
                for name in self.roots}
