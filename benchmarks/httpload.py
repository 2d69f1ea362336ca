"""Load generation for the benchmarks: prepared requests replayed by wrk, or by an asyncio client.

A scenario is a list of prepared requests (method, path, cookie, form body), written to a file one
per line. `measure()` replays it against a server for a bounded time with N keep-alive
connections and no pause, and returns requests/s, p50/p99 and the count of each status:
- with `wrk -t2 -cN` when wrk is installed (Debian package `wrk`), through benchmarks/replay.lua;
- otherwise with the asyncio client below, run in a separate process (python benchmarks/httpload.py
  FILE PORT SECONDS CONNECTIONS MODE), so the load generator never shares an interpreter with the
  server or with the benchmark itself.
Either way the result says which generator produced it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WRK_THREADS = 2


@dataclass
class Result:
    generator: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    sent: int = 0
    wrapped: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, *keys: str) -> int:
        return sum(self.statuses.get(key, 0) for key in keys)


def write_requests(path: Path, requests: list[tuple[str, str, str, dict[str, str] | None]]) -> Path:
    """One line per request: method, path, cookie, url-encoded body (empty for a GET)."""
    with path.open("w") as out:
        for method, target, cookie, fields in requests:
            body = urllib.parse.urlencode(fields) if fields is not None else ""
            out.write(f"{method}\t{target}\t{cookie}\t{body}\n")
    return path


def csrf_pairs(port: int, paths: list[str], cookie_name: str = "vises_session") -> list[tuple[str, str]]:
    """(cookie header, csrf token) pairs, one per path, each read from a page the server rendered."""
    pairs = []
    for path in paths:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        response = conn.getresponse()
        html = response.read().decode()
        cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith(cookie_name)]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        conn.close()
        if response.status != 200 or not cookies or not token:
            raise RuntimeError(f"no CSRF token on {path} (status {response.status})")
        pairs.append((cookies[0], token.group(1)))
    return pairs


def generator_name() -> str:
    return f"wrk -t{WRK_THREADS}" if shutil.which("wrk") else "asyncio client (separate process)"


def measure(port: int, requests_file: Path, seconds: float, connections: int, mode: str = "cycle") -> Result:
    """Replay `requests_file` against 127.0.0.1:`port` for `seconds` with `connections` connections."""
    if shutil.which("wrk"):
        return _wrk(port, requests_file, seconds, connections, mode)
    command = [sys.executable, __file__, str(requests_file), str(port), str(seconds), str(connections), mode]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return Result(**json.loads(output.strip().splitlines()[-1]))


def _wrk(port: int, requests_file: Path, seconds: float, connections: int, mode: str) -> Result:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    command += ["-s", str(HERE / "replay.lua"), f"http://127.0.0.1:{port}", "--", str(requests_file), mode]
    done = subprocess.run([*command, str(WRK_THREADS)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    output = done.stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    values = dict(part.split("=", 1) for part in line.split()[1:])
    statuses = {k: int(v) for k, v in (s.rsplit("=", 1) for s in values["statuses"].split(",") if s)}
    return Result(
        f"wrk -t{WRK_THREADS} -c{connections}",
        int(values["requests"]),
        float(values["seconds"]),
        float(values["p50_ms"]),
        float(values["p99_ms"]),
        int(values["sent"]),
        int(values["wrapped"]),
        statuses,
    )


# --- the asyncio client (used when wrk is not installed) -------------------------------------------


def _prepared(line: str) -> bytes:
    method, target, cookie, body = line.rstrip("\n").split("\t", 3)
    headers = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    if method == "POST":
        headers += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, str]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status, length, location = int(head[0].split()[1]), 0, ""
    for header in head[1:]:
        name, _, value = header.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "location":
            location = value.strip()
    await reader.readexactly(length)
    return status, (f"{status}:" + location.rsplit("/", 1)[-1]) if status == 303 else str(status)


async def _load(port: int, lines: list[str], seconds: float, connections: int, once: bool) -> dict:
    latencies, statuses, counters = [], {}, {"sent": 0, "wrapped": 0}
    stop = time.perf_counter() + seconds

    async def connection(number: int) -> None:
        mine = [_prepared(line) for line in lines[number::connections]] or [_prepared(lines[0])]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        index = 0
        while time.perf_counter() < stop:
            if index == len(mine):
                index, counters["wrapped"] = 0, counters["wrapped"] + (1 if once else 0)
            started = time.perf_counter()
            writer.write(mine[index])
            counters["sent"] += 1
            status, key = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            statuses[key] = statuses.get(key, 0) + 1
            index += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection(n) for n in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "generator": f"asyncio client, {connections} connections",
        "requests": len(latencies),
        "seconds": elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0,
        **counters,
        "statuses": statuses,
    }


def main() -> None:
    file, port, seconds, connections, mode = sys.argv[1:6]
    lines = Path(file).read_text().splitlines()
    print(json.dumps(asyncio.run(_load(int(port), lines, float(seconds), int(connections), mode == "once"))))


if __name__ == "__main__":
    main()
