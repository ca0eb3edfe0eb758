"""Instructions executed by the compiler, counted with callgrind: a figure that, unlike time,
does not move with the machine's load or clock.

Run from the project root (needs `valgrind` on the PATH):

    PYTHONPATH=. .venv/bin/python bench/instructions.py                 # 1,000-task shapes
    PYTHONPATH=. .venv/bin/python bench/instructions.py --tasks 100 --shapes chain

For each shape it runs this script under callgrind twice in a child process: once compiling
the generated workflow as a warm-up only, once compiling it a second time (template cache
cleared, as `compile.py` does); the difference is the cost of one cold `load` (YAML →
validated model) and of one `compile_text` (YAML → ASL), in millions of instructions.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(stage: str, shape: str, tasks: int, measured: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.compile import GENERATORS, TARGET
    from chalicelib.compiler import compile_text
    from chalicelib.language import load
    from chalicelib.language.expressions import parse_template

    text = GENERATORS[shape](tasks, 0)
    run = (lambda: load(text)) if stage == "load" else (
        lambda: compile_text(text, TARGET, max_bytes=None))
    run()
    if measured:
        parse_template.cache_clear()
        run()


def _collected(*args: str) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         __file__, "--child", *args], capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--shapes", default="chain,fanout,dag")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stage, shape, tasks, measured = args.child
        _child(stage, shape, int(tasks), measured == "run")
        return
    print(f"Instructions for one cold run at {args.tasks} tasks, millions (callgrind)")
    print(f"{'shape':<8}{'load':>10}{'compile_text':>14}")
    for shape in args.shapes.split(","):
        counts = []
        for stage in ("load", "total"):
            base = _collected(stage, shape, str(args.tasks), "base")
            counts.append((_collected(stage, shape, str(args.tasks), "run") - base) / 1e6)
        print(f"{shape:<8}{counts[0]:>10.0f}{counts[1]:>14.0f}")


if __name__ == "__main__":
    main()
