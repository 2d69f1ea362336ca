"""Charts drawn when first asked for, kept as files named by the content hash of their spec.

An unchanged chart has the same hash, hence the same file: it is never drawn again. A changed
chart gets a new file and the older versions of it are deleted. Concurrent requests for the same
chart draw it once: the first takes an exclusive lock on a file next to it (flock works between
threads and between processes), the others wait for it, then find the chart drawn.
matplotlib is not thread-safe (its font cache and rcParams are shared), so drawing itself also
holds DRAW_LOCK: one chart at a time per process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.charts.specs import ChartSpec
from survey_app.core.config import Settings, instance_folder

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: threads of this process still draw once
    fcntl = None  # type: ignore[assignment]

FORMATS = ("png", "svg")
DRAW_LOCK = threading.RLock()  # re-entrant: a caller may already hold it (the PDF of older versions)
HASH_CHARS = 24
_local_locks: dict[Path, threading.Lock] = {}
_local_guard = threading.Lock()


def chart_folder(settings: Settings) -> Path:
    return instance_folder(settings) / "charts"


def chart_file(settings: Settings, spec: ChartSpec, fmt: str) -> Path:
    digest = spec.content_hash()[:HASH_CHARS]
    return chart_folder(settings) / str(spec.enterprise_id) / f"{spec.name}.{spec.language}.{digest}.{fmt}"


def ensure(settings: Settings, spec: ChartSpec, fmt: str) -> tuple[Path, bool]:
    """The chart's file, drawn now if it does not exist yet; and whether this call drew it."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    path = chart_file(settings, spec, fmt)
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path):
        if path.exists():  # drawn by whoever held the lock before us
            return path, False
        from pipeline.charts.draw import build_figure, save_figure  # matplotlib: only on the chart path

        with DRAW_LOCK:
            save_figure(build_figure(spec), path, fmt)
        _forget_older_versions(path, spec, fmt)
    return path, True


def read(settings: Settings, spec: ChartSpec, fmt: str) -> bytes:
    """The chart's bytes; drawn again in the rare case a newer version replaced it meanwhile."""
    for _attempt in range(3):
        path, _drawn = ensure(settings, spec, fmt)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            continue
    raise FileNotFoundError(chart_file(settings, spec, fmt))


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    with _local_guard:
        local = _local_locks.setdefault(path, threading.Lock())
    with local, open(lock_path, "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # waits for another process drawing the same chart
        try:
            yield
        finally:
            # Removed while still held: a waiter on the old lock finds the chart drawn, a newcomer
            # finds the chart before it ever looks for the lock.
            lock_path.unlink(missing_ok=True)
    with _local_guard:
        _local_locks.pop(path, None)


def _forget_older_versions(path: Path, spec: ChartSpec, fmt: str) -> None:
    for older in path.parent.glob(f"{spec.name}.{spec.language}.*.{fmt}"):
        if older != path:
            older.unlink(missing_ok=True)
