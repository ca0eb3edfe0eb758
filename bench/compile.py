"""Compiler benchmark: compile time by workflow size and shape, state transitions per task.

Run from the project root:

    PYTHONPATH=. .venv/bin/python bench/compile.py            # full run (about a minute)
    PYTHONPATH=. .venv/bin/python bench/compile.py --quick    # fewer repetitions, for CI smoke
    PYTHONPATH=. .venv/bin/python bench/compile.py --json     # machine-readable results

Part 1 generates workflows of 10, 100 and 1,000 tasks in three shapes (chain, wide fan-out
with a final ``join: all``, seeded random DAG with joins) and times, separately, parsing and
validation (``chalicelib.language.load``), compilation of the loaded document
(``chalicelib.compiler.compile_document``) and both together (``compile_text``), next to two
baselines measured in the same run: ``yaml.safe_load`` of the source text and ``json.dumps``
of the resulting ASL.

Part 2 runs the reference workflows of ``bench/workflows/`` on the local AWS (moto) and
counts, from each execution's history, the states entered (transitions) and the tasks
executed (entries into states whose Comment is ``task <name>``; a with-items Map counts once).

The script prints numbers and the targets they are meant to meet; it never fails on a miss.
A shape that fails to compile or run is reported with its exception.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chalicelib.compiler import Target, compile_document, compile_text  # noqa: E402
from chalicelib.language.expressions import parse_template  # noqa: E402
from chalicelib.language import load  # noqa: E402

WORKFLOWS = Path(__file__).resolve().parent / "workflows"
ACTIONS_FUNCTION = "stepwise-actions"
HANDLER = "bench.handlers.ok"
TARGET = Target(actions_function=ACTIONS_FUNCTION)
# libyaml's loader, the parser `load` itself builds on (pure-Python SafeLoader without it)
YAML_C = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SIZES = (10, 100, 1000)
SHAPES = ("chain", "fanout", "dag")
COMPILE_TARGET_MS = 100.0  # total compile time at 1,000 tasks
GROWTH_TARGET = 12.0  # time at 1,000 tasks / time at 100 tasks

# reference workflow -> (tasks it should execute, transitions-per-task target or None)
REFERENCE: dict[str, tuple[int, float | None]] = {
    "chain_lambda_10": (10, 1.1),
    "chain_echo_10": (10, 1.1),
    "fan_in": (4, 1.5),
    "diamond_5": (7, 1.5),
    "dag_joins": (6, 1.5),
    "conditional": (5, None),
    "with_items": (2, None),
    "error_handled": (4, None),
}


# -- generated workflows -----------------------------------------------------------------------


def _task(name: str, successors: list[str], index: int, join: bool = False) -> list[str]:
    """One task as YAML lines: a Lambda action with an input expression and a publish."""
    lines = [f"    {name}:"]
    if join:
        lines.append("      join: all")
    lines += [
        "      action: my.action",
        "      input:",
        f"        x: <% $.x + {index} %>",
        f"        n: {index}",
        "      publish:",
        f"        r_{name}: <% task().result %>",
    ]
    if successors:
        lines.append("      on-success:")
        lines += [f"        - {s}" for s in successors]
    return lines


def _document(name: str, tasks: list[list[str]]) -> str:
    head = ["version: '2.0'", f"{name}:", "  type: direct", "  input:", "    - x: 1", "  tasks:"]
    return "\n".join(head + [line for task in tasks for line in task]) + "\n"


def chain(n: int, seed: int = 0) -> str:
    """t1 -> t2 -> ... -> tn."""
    return _document(f"chain_{n}", [
        _task(f"t{i}", [f"t{i + 1}"] if i < n else [], i) for i in range(1, n + 1)])


def fanout(n: int, seed: int = 0) -> str:
    """t1 -> (t2 .. t(n-1) in parallel) -> tn (join: all)."""
    middle = [f"t{i}" for i in range(2, n)]
    tasks = [_task("t1", middle, 1)]
    tasks += [_task(m, [f"t{n}"], i) for i, m in enumerate(middle, start=2)]
    tasks.append(_task(f"t{n}", [], n, join=True))
    return _document(f"fanout_{n}", tasks)


def dag(n: int, seed: int = 0) -> str:
    """Seeded random DAG: task i has 1-3 predecessors among earlier tasks; ≥2 → join: all."""
    rng = random.Random(seed)
    predecessors: dict[int, list[int]] = {1: []}
    for i in range(2, n + 1):
        predecessors[i] = rng.sample(range(1, i), rng.randint(1, min(3, i - 1)))
    successors: dict[int, list[str]] = {i: [] for i in range(1, n + 1)}
    for i in range(2, n + 1):
        for p in predecessors[i]:
            successors[p].append(f"t{i}")
    return _document(f"dag_{n}", [
        _task(f"t{i}", successors[i], i, join=len(predecessors[i]) >= 2)
        for i in range(1, n + 1)])


GENERATORS: dict[str, Callable[[int, int], str]] = {"chain": chain, "fanout": fanout, "dag": dag}


# -- timing ------------------------------------------------------------------------------------


class Timer:
    """Repeats a call: the first run sets how many more fit in the time budget."""

    def __init__(self, budget: float, least: int, most: int):
        self.budget, self.least, self.most = budget, least, most

    def measure(self, call: Callable[[], Any]) -> dict[str, Any]:
        gc.collect()
        start = time.perf_counter()
        call()
        times = [time.perf_counter() - start]
        repeats = max(self.least, min(self.most, int(self.budget / max(times[0], 1e-6))))
        for _ in range(repeats - 1):
            gc.collect()  # collections caused by earlier runs land outside the timed call
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        return {"best_ms": min(times) * 1e3, "median_ms": statistics.median(times) * 1e3,
                "runs": len(times)}


def _error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= 300 else f"{text[:150]} ... {text[-120:]}"


def bench_compile(timer: Timer, sizes: tuple[int, ...], seed: int) -> list[dict[str, Any]]:
    rows = []
    for shape in SHAPES:
        for n in sizes:
            text = GENERATORS[shape](n, seed)
            row: dict[str, Any] = {"shape": shape, "tasks": n, "source_bytes": len(text)}
            rows.append(row)
            try:
                document = load(text)
                # every timed load and total starts with an empty template cache (cold), while
                # compile runs as in the pipeline, after load parsed the same templates
                row["load"] = timer.measure(lambda: (parse_template.cache_clear(), load(text)))
                compiled = compile_document(document, TARGET, max_bytes=None)
                row["compile"] = timer.measure(lambda: compile_document(document, TARGET, max_bytes=None))
                row["total"] = timer.measure(
                    lambda: (parse_template.cache_clear(), compile_text(text, TARGET, max_bytes=None)))
                definitions = [c.definition for c in compiled.values()]
                row["states"] = sum(_count_states(d) for d in definitions)
                row["asl_bytes"] = sum(len(json.dumps(d)) for d in definitions)
                row["yaml_c_load"] = timer.measure(lambda: yaml.load(text, Loader=YAML_C))
                row["yaml_safe_load"] = timer.measure(lambda: yaml.safe_load(text))
                row["json_dumps"] = timer.measure(lambda: [json.dumps(d) for d in definitions])
            except Exception as exc:  # a shape that does not compile is a result too
                row["error"] = _error(exc)
                row["traceback_tail"] = traceback.format_exc().strip().splitlines()[-3:]
    return rows


def key_figures(rows: list[dict[str, Any]], sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    big, small = max(sizes), sorted(sizes)[-2] if len(sizes) > 1 else None
    out = []
    for shape in SHAPES:
        at = {r["tasks"]: r for r in rows if r["shape"] == shape}
        row = at[big]
        fig: dict[str, Any] = {"shape": shape, "tasks": big}
        if "error" in row:
            fig["error"] = row["error"]
            out.append(fig)
            continue
        total = row["total"]["best_ms"]
        fig["total_ms"] = total
        fig["target_ms"] = COMPILE_TARGET_MS
        if small is not None and "total" in at[small]:
            for part in ("load", "compile", "total"):
                fig[f"growth_{part}"] = row[part]["best_ms"] / at[small][part]["best_ms"]
            fig["growth_of"] = f"{big}/{small}"
            fig["growth_target"] = GROWTH_TARGET
        fig["vs_yaml_c_load"] = total / row["yaml_c_load"]["best_ms"]
        fig["vs_yaml_safe_load"] = total / row["yaml_safe_load"]["best_ms"]
        fig["vs_json_dumps"] = total / row["json_dumps"]["best_ms"]
        out.append(fig)
    return out


def _count_states(definition: dict[str, Any]) -> int:
    return len(_state_comments(definition))


def _state_comments(definition: dict[str, Any]) -> dict[str, str]:
    """State name -> Comment for every state, nested Parallel branches and Map processors too."""
    found: dict[str, str] = {}
    pending = [definition]
    while pending:
        machine = pending.pop()
        for name, state in machine.get("States", {}).items():
            found[name] = state.get("Comment", "")
            pending.extend(state.get("Branches", []))
            for key in ("ItemProcessor", "Iterator"):
                if key in state:
                    pending.append(state[key])
    return found


# -- executions --------------------------------------------------------------------------------


def bench_runs(timeout: float) -> list[dict[str, Any]]:
    from infra.local.host import LocalAWS
    from infra.local.sfn import deploy_lambda, run_state_machine

    rows = []
    with LocalAWS() as host:
        deploy_lambda(host, ACTIONS_FUNCTION, HANDLER)
        for name, (expected, target) in REFERENCE.items():
            row: dict[str, Any] = {"workflow": name, "expected_tasks": expected,
                                   "target": target}
            rows.append(row)
            try:
                text = (WORKFLOWS / f"{name}.yaml").read_text()
                compiled = compile_text(text, TARGET)
                definition = next(iter(compiled.values())).definition
                comments = _state_comments(definition)
                row["states"] = len(comments)
                start = time.perf_counter()
                result = run_state_machine(host, definition, {}, timeout=timeout)
                row["seconds"] = time.perf_counter() - start
                entered = result.entered()
                tasks = [s for s in entered if comments.get(s, "").startswith("task ")]
                row["status"] = result.status
                row["transitions"] = result.transitions
                row["tasks"] = len(tasks)
                row["per_task"] = result.transitions / len(tasks) if tasks else None
                row["entered"] = entered
                if not result.succeeded:
                    row["error"] = f"{result.error}: {str(result.cause)[:160]}"
            except Exception as exc:
                row["error"] = _error(exc)
    return rows


# -- output ------------------------------------------------------------------------------------


def _ms(m: dict[str, Any] | None) -> str:
    if not m:
        return "-"
    return f"{m['best_ms']:.2f}/{m['median_ms']:.2f}"


def _table(headers: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(headers)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt.format(*headers), rule] + [fmt.format(*line) for line in lines])


def print_compile(rows: list[dict[str, Any]], figures: list[dict[str, Any]]) -> None:
    print("Compile time, ms as best/median of runs "
          "(load = parse+validate, compile = compile_document, total = compile_text)")
    lines = []
    for r in rows:
        if "error" in r:
            lines.append([r["shape"], str(r["tasks"]), "ERROR"] + ["-"] * 8)
            continue
        lines.append([r["shape"], str(r["tasks"]), _ms(r["load"]), _ms(r["compile"]),
                      _ms(r["total"]), str(r["total"]["runs"]), str(r["states"]),
                      f"{r['asl_bytes'] / 1024:.0f}", _ms(r["yaml_c_load"]),
                      _ms(r["yaml_safe_load"]), _ms(r["json_dumps"])])
    print(_table(["shape", "tasks", "load", "compile", "total", "runs", "states", "ASL KiB",
                  "yaml C load", "yaml.safe_load", "json.dumps"], lines))
    for r in rows:
        if "error" in r:
            print(f"  ! {r['shape']} x{r['tasks']} failed: {r['error']}")
            for line in r.get("traceback_tail", []):
                print(f"      {line.strip()}")
    print()
    print(f"Key figures (best total; targets: < {COMPILE_TARGET_MS:.0f} ms at 1,000 tasks, "
          f"growth 1,000/100 <= {GROWTH_TARGET:.0f})")
    lines = []
    for f in figures:
        if "error" in f:
            lines.append([f["shape"], "ERROR"] + ["-"] * 6)
            continue
        growth = [f"{f[k]:.1f}" if k in f else "-"
                  for k in ("growth_total", "growth_load", "growth_compile")]
        lines.append([f["shape"], f"{f['total_ms']:.1f}", *growth,
                      f"{f['vs_yaml_c_load']:.1f}x", f"{f['vs_yaml_safe_load']:.1f}x",
                      f"{f['vs_json_dumps']:.1f}x"])
    big = figures[0]["tasks"] if figures else 0
    of = next((f["growth_of"] for f in figures if "growth_of" in f), "growth")
    print(_table(["shape", f"total ms @{big}", f"total {of}", f"load {of}", f"compile {of}",
                  "total/yaml C", "total/safe_load", "total/json.dumps"], lines))


def print_runs(rows: list[dict[str, Any]]) -> None:
    print("State transitions per executed task (moto; transitions = *StateEntered events)")
    lines = []
    for r in rows:
        per = f"{r['per_task']:.2f}" if r.get("per_task") is not None else "-"
        target = f"<= {r['target']}" if r["target"] is not None else "-"
        lines.append([r["workflow"], r.get("status", "ERROR"), str(r.get("states", "-")),
                      str(r.get("transitions", "-")),
                      f"{r.get('tasks', '-')}/{r['expected_tasks']}", per, target,
                      f"{r['seconds']:.2f}" if "seconds" in r else "-"])
    print(_table(["workflow", "status", "states", "transitions", "tasks/expected",
                  "per task", "target", "run s"], lines))
    for r in rows:
        if "error" in r:
            print(f"  ! {r['workflow']}: {r['error']}")
        if "tasks" in r and r["tasks"] != r["expected_tasks"]:
            print(f"  ! {r['workflow']}: {r['tasks']} task entries, expected "
                  f"{r['expected_tasks']}; entered: {r['entered']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions per measurement (CI smoke run)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random DAGs")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")),
                        default=SIZES, help="task counts, comma-separated (default 10,100,1000)")
    parser.add_argument("--no-compile", action="store_true", help="skip the compile-time part")
    parser.add_argument("--no-run", action="store_true", help="skip the moto executions")
    parser.add_argument("--recursion-limit", type=int, default=None,
                        help="set sys.setrecursionlimit before compiling (default: unchanged)")
    args = parser.parse_args(argv)

    if args.recursion_limit:
        sys.setrecursionlimit(args.recursion_limit)
    timer = Timer(budget=0.15, least=1, most=5) if args.quick else Timer(1.0, 3, 50)
    results: dict[str, Any] = {
        "environment": {"python": platform.python_version(), "platform": platform.platform(),
                        "quick": args.quick, "seed": args.seed, "sizes": list(args.sizes),
                        "recursion_limit": sys.getrecursionlimit(), "cpus": os.cpu_count()},
    }
    started = time.perf_counter()
    if not args.no_compile:
        rows = bench_compile(timer, tuple(args.sizes), args.seed)
        results["compile"] = rows
        results["key_figures"] = key_figures(rows, tuple(args.sizes))
        if not args.json:
            print_compile(rows, results["key_figures"])
            print()
    if not args.no_run:
        runs = bench_runs(timeout=60.0)
        results["runs"] = runs
        if not args.json:
            print_runs(runs)
            print()
    results["seconds"] = time.perf_counter() - started
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=str)
        print()
    else:
        print(f"finished in {results['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
