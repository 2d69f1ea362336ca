"""Start-up to first page: from launching the server process to the first 200 on `/`, for the app
(as `vises serve`: create_app, migrations on a fresh database, waitress) and for the floor (the
bare Flask app of benchmarks/floor.py under waitress). Also lists the heavy libraries the app
imported before serving its first page (matplotlib, fpdf and openpyxl belong to charts, the PDF
and XLSX exports only).

Example: .venv/bin/python benchmarks/startup.py --runs 5
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # before benchmarks/ (benchmarks/pipeline.py would hide the package)
HEAVY = ("matplotlib", "fpdf", "openpyxl", "PIL", "numpy")


def serve(kind: str, folder: str, port: int) -> None:
    """Child process: build the app (or the floor) and serve it until killed."""
    import waitress

    if kind == "floor":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from floor import create_floor

        app = create_floor(f"{folder}/floor.db")
    else:
        from survey_app import create_app

        app = create_app(
            {"database.path": f"{folder}/vises.db", "server.secret_key": "bench", "schedule.enabled": False}
        )
        heavy = sorted(name for name in HEAVY if name in sys.modules)
        Path(folder, "imported").write_text(" ".join(heavy))
    waitress.serve(app, host="127.0.0.1", port=port, _quiet=True)


def first_page(kind: str, port: int) -> tuple[float, str]:
    folder = tempfile.mkdtemp(prefix="vises-startup-")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, folder, str(port)], env=env)
    try:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/form" if kind == "floor" else "/")
                if conn.getresponse().status == 200:
                    elapsed = time.perf_counter() - started
                    break
            except OSError:
                time.sleep(0.01)
            if process.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"{kind} did not answer within 60 s")
    finally:
        process.terminate()
        process.wait()
    imported = Path(folder, "imported")
    return elapsed, imported.read_text() if imported.exists() else ""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], args.serve[1], int(args.serve[2]))
    load = os.getloadavg()[0]
    times: dict[str, list[float]] = {"app": [], "floor": []}
    imported = ""
    for _ in range(args.runs):  # alternated, so both see the same machine
        for kind in times:
            elapsed, heavy = first_page(kind, free_port())
            times[kind].append(elapsed)
            imported = heavy or imported
    print(f"{args.runs} runs each, python {sys.version.split()[0]}, nproc={os.cpu_count()}, load average {load:.1f}")
    for kind, values in times.items():
        print(
            f"{kind:<6} start-up to first page: median {statistics.median(values):.2f} s, "
            f"best {min(values):.2f} s, worst {max(values):.2f} s"
        )
    ratio = statistics.median(times["app"]) / statistics.median(times["floor"])
    print(f"app / floor: {ratio:.1f}x; goal: app under 1.5 s")
    print(f"heavy libraries imported by the app before its first page: {imported or 'none'}")


if __name__ == "__main__":
    main()
