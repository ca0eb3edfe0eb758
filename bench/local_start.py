"""`stepwise local`: time from the command to the first successful API call, and memory at rest.

Run from the project root:

    PYTHONPATH=. .venv/bin/python bench/local_start.py [--runs N]

Each run starts `python -m stepwise.cli local` in a subprocess on a free port and polls (every
20 ms) for ``DATA_DIR/local.json`` and an authenticated ``GET /users/me`` that answers 200:
- first start: an empty data directory (it makes the tables and the administrator, stores the
  example workflow and runs it once through the engine before serving);
- restart: the same directory again (it loads the saved tables instead).
After the API answers, the stack idles 5 s and its resident memory (VmRSS, and VmHWM, the
peak) is read from /proc. Then SIGTERM, and the time until it exits.

Baseline, measured in the same run: a process that only imports the stack's bare dependencies
(moto's server with the services it hosts, boto3, chalice, pynamodb) and exits; its time and
peak memory.
The machine is warm: one unmeasured start first fills the OS and bytecode caches.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.report import table

PROJECT = Path(__file__).resolve().parents[1]
BARE = ("import moto.server, moto.dynamodb.models, moto.stepfunctions.models, "
        "moto.awslambda.models, moto.events.models, moto.ses.models, boto3, chalice, "
        "chalice.local, pynamodb.models")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory(pid: int) -> dict[str, float]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024  # kB -> MiB
    return found


def _answers(config: Path, port: int) -> bool:
    if not config.exists() or f":{port}" not in config.read_text():
        return False
    settings = json.loads(config.read_text())
    request = urllib.request.Request(settings["url"] + "/users/me", headers={
        "Authorization": f"Bearer {settings['api_key']}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start(data: Path, idle: float = 5.0) -> dict[str, float]:
    port = _free_port()
    begun = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "stepwise.cli", "local", "--port", str(port),
         "--data-dir", str(data)], cwd=PROJECT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={k: v for k, v in os.environ.items()
                                        if k != "AWS_ENDPOINT_URL"})
    try:
        while not _answers(data / "local.json", port):
            if process.poll() is not None:
                raise RuntimeError(f"stepwise local exited with {process.returncode}")
            time.sleep(0.02)
        ready = time.perf_counter() - begun
        time.sleep(idle)
        memory = _memory(process.pid)
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        return {"ready_s": ready, "rss_mib": memory["VmRSS"], "peak_mib": memory["VmHWM"],
                "stop_s": time.perf_counter() - stopping, "exit": process.returncode}
    finally:
        if process.poll() is None:
            process.kill()


def bare() -> dict[str, float]:
    begun = time.perf_counter()
    code = BARE + "; import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=PROJECT)
    return {"ready_s": time.perf_counter() - begun, "peak_mib": int(result.stdout) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as warm:
        start(Path(warm) / "data", idle=0)  # fills the caches; not measured
    firsts, restarts, bases = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as scratch:
            data = Path(scratch) / "data"
            firsts.append(start(data))
            restarts.append(start(data))
        bases.append(bare())
    base_time = statistics.median(b["ready_s"] for b in bases)
    base_peak = statistics.median(b["peak_mib"] for b in bases)
    lines = []
    for label, runs in (("first start (empty data dir)", firsts),
                        ("restart (saved data)", restarts)):
        ready = statistics.median(r["ready_s"] for r in runs)
        rss = statistics.median(r["rss_mib"] for r in runs)
        lines.append([label, f"{ready:.2f}", f"{ready / base_time:.1f}x", f"{rss:.0f}",
                      f"{statistics.median(r['peak_mib'] for r in runs):.0f}",
                      f"{rss / base_peak:.1f}x",
                      f"{statistics.median(r['stop_s'] for r in runs):.2f}",
                      ",".join(sorted({str(r['exit']) for r in runs}))])
    lines.append(["baseline: import the bare dependencies", f"{base_time:.2f}", "1.0x", "",
                  f"{base_peak:.0f}", "1.0x", "", ""])
    print(f"median of {args.runs} runs each, warm machine\n")
    print(table(["run", "s to 1st API call", "/ baseline", "idle RSS MiB", "peak MiB",
                 "RSS / baseline peak", "s to stop", "exit"], lines, {0}))


if __name__ == "__main__":
    main()
