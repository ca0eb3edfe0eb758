"""The deployment package: zip size, and the cold import time of each Lambda handler against
the bare dependencies the bundle brings.

Run from the project root after `make package` (or give the build directory):

    PYTHONPATH=. .venv/bin/python bench/package.py [--build build] [--runs 15]

The zip is unpacked into a temporary directory that goes first on `sys.path` of a fresh
interpreter, as in Lambda (boto3 and botocore come from the environment, as the runtime
provides them). Each import is timed inside that interpreter, so interpreter start-up is not
counted; the median of `--runs` fresh processes is printed.
- `app`: what the API, status-change, sweeper and scheduled-run functions import;
- `chalicelib.actions`: what the actions and callbacks functions import;
- bare: `chalice`, `pynamodb.models`, `yaml`, `markdown` and `boto3` alone.
Numbers, not a pass/fail test.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.report import table

BARE = "import chalice, pynamodb.models, yaml, markdown, boto3"
TIMED = ("import sys, time; sys.path.insert(0, {root!r}); t = time.perf_counter(); {stmt}; "
         "print((time.perf_counter() - t) * 1000)")


def import_ms(root: str, statement: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", TIMED.format(root=root, stmt=statement)],
                              cwd=root, capture_output=True, text=True, check=True,
                              env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin"})
        times.append(float(done.stdout))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    bundle = Path(args.build) / "deployment.zip"
    with zipfile.ZipFile(bundle) as archive:
        infos = archive.infolist()
        unpacked = sum(info.file_size for info in infos)
        with tempfile.TemporaryDirectory() as root:
            archive.extractall(root)
            import_ms(root, "import app", 1)  # fills the bytecode caches
            bare = import_ms(root, BARE, args.runs)
            app = import_ms(root, "import app", args.runs)
            actions = import_ms(root, "import chalicelib.actions", args.runs)
    print(f"{bundle}: {bundle.stat().st_size / 1e6:.2f} MB zipped, "
          f"{unpacked / 1e6:.2f} MB unpacked, {len(infos)} files")
    print(table(["import", "median ms", "/ bare"], [
        ["bare dependencies", f"{bare:.0f}", "1.00"],
        ["app", f"{app:.0f}", f"{app / bare:.2f}"],
        ["chalicelib.actions", f"{actions:.0f}", f"{actions / bare:.2f}"],
    ], left={0}))


if __name__ == "__main__":
    main()
