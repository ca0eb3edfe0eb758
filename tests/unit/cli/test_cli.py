"""The command-line contracts of DESIGN.md: exit codes and output formats."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepwise.cli import main

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hello.yaml"

BAD = """version: '2.0'
wf:
  tasks:
    a:
      action: std.echo
      on-success: b
      retyr: {count: 2}
"""

WORKBOOK = """version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: helper
  helper:
    tasks:
      work:
        action: std.noop
"""


def write(tmp_path: Path, text: str, name: str = "wf.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_validate_valid_file_exits_zero(capsys):
    assert main(["validate", str(EXAMPLE)]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_invalid_file_reports_every_problem_with_position(tmp_path, capsys):
    path = write(tmp_path, BAD)
    assert main(["validate", path]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}:6:19: ") and "'b'" in lines[0]
    assert lines[1].startswith(f"{path}:7:7: ") and "retyr" in lines[1]


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_compile_prints_one_machine_as_json(capsys):
    assert main(["compile", str(EXAMPLE)]) == 0
    asl = json.loads(capsys.readouterr().out)
    assert asl["QueryLanguage"] == "JSONata"
    assert asl["StartAt"] == "greet"


def test_compile_workbook_maps_each_workflow_to_its_machine(tmp_path, capsys):
    assert main(["compile", write(tmp_path, WORKBOOK)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["main", "helper"]
    call = out["main"]["States"]["call"]
    assert call["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert "stateMachine:stepwise-helper" in call["Arguments"]


def test_compile_invalid_file_exits_one_and_prints_nothing(tmp_path, capsys):
    assert main(["compile", write(tmp_path, BAD)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and ":6:19:" in captured.err


def test_installed_entry_point_runs_as_a_process(tmp_path):
    done = subprocess.run([sys.executable, "-m", "stepwise.cli", "validate", "-q",
                           write(tmp_path, BAD)], capture_output=True, text=True,
                          cwd=EXAMPLE.parents[1])
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 2


@pytest.mark.parametrize("argv", [["compile"], ["frobnicate"]])
def test_bad_usage_exits_two(argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2


REVERSE = """version: '2.0'
wf:
  type: reverse
  tasks:
    fetch:
      action: std.noop
    build:
      action: std.noop
      requires: [fetch]
    deploy:
      action: std.noop
      requires: [build]
"""


def test_compile_reverse_workflow_for_a_target_task(tmp_path, capsys):
    assert main(["compile", write(tmp_path, REVERSE), "--target-task", "build"]) == 0
    states = json.loads(capsys.readouterr().out)["States"]
    assert "fetch" in states and "build" in states and "deploy" not in states


def test_compile_unknown_target_task_is_reported_with_the_choices(tmp_path, capsys):
    path = write(tmp_path, REVERSE)
    assert main(["compile", path, "--target-task", "ship"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:2:1: ") and "'ship'" in err and "fetch, build, deploy" in err


def test_target_task_on_a_direct_workflow_is_a_usage_error(capsys):
    assert main(["compile", str(EXAMPLE), "--target-task", "greet"]) == 2
    assert "reverse" in capsys.readouterr().err
