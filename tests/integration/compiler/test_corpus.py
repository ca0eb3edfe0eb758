"""The corpus of real Mistral workflows: every one compiles and is accepted by the local
Step Functions, and those that use only std.* actions (or `core.local`, played by a test
Lambda through the action registry) run to the expected result."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.compiler.conftest import CORE_LOCAL_FUNCTION, before

pytestmark = pytest.mark.moto

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))
CORE_LOCAL = {"core.local": CORE_LOCAL_FUNCTION}


def text(fragment: str) -> str:
    (path,) = [p for p in FILES if fragment in p.name]
    return path.read_text()


def test_the_corpus_is_there():
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:70])
def test_every_corpus_workflow_compiles_and_deploys(sw, path):
    compiled = sw.compile(path.read_text())
    assert compiled
    for workflow in compiled.values():
        assert workflow.definition["States"]
    # the local Step Functions accepts every machine (CreateStateMachine parses the ASL)
    sw.deploy(path.read_text())


def test_wb_v2_echo(sw):
    run = sw.run(text("resources__wb_v2.yaml"))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"result": "Hello"}


def test_wb_with_nested_wf(sw):
    run = sw.run(text("wb_with_nested_wf.yaml"))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.ran() == ["call_inner_wf"]


def test_rally_nested_wb_four_children_each_with_a_join(sw):
    run = sw.run(text("rally-jobs__extra__nested_wb.yaml"))
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.ran()) == Counter(f"call_inner_wf_{i}" for i in range(1, 5))


def test_wf_delay_v2_wait_after(sw):
    run = sw.run(text("wf_delay_v2.yaml"))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"result": "Hello", "task2": "Task 2"}
    assert before(run.entered(), "hello.wait_after", "task2")


def test_async_workflow_resumed_by_callback(sw):
    deployment = sw.deploy(text("v2__async.yaml"))
    execution = sw.start(deployment)
    token = sw.token(execution, task="async_task", kind="async")
    sw.resume(token, {"done": True})
    run = sw.wait(deployment, execution)
    assert run.status == "SUCCEEDED", run.describe()


@pytest.mark.parametrize("which, path", [("a", "A"), ("b", "B")])
def test_stackstorm_branching_takes_the_chosen_path(sw, which, path):
    run = sw.run(text("mistral-branching.yaml"), {"which": which}, registry=CORE_LOCAL)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.ran() == ["t1", which]
    assert run.output == {"path": which, "stdout": f"Took path {path}."}


def test_stackstorm_jinja_branching_takes_the_chosen_path(sw):
    run = sw.run(text("mistral-jinja-branching.yaml"), {"which": "b"}, registry=CORE_LOCAL)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.ran() == ["t1", "b"]
    assert run.output == {"path": "b"}


def test_stackstorm_reverse_requires(sw):
    run = sw.run(text("mistral-reverse-requires.yaml"), {"question": "meaning?"},
                 registry=CORE_LOCAL)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"answer": 42}
    order = run.ran()
    assert Counter(order) == Counter("abcde")
    for need in "bcd":
        assert before(order, "a", need) and before(order, need, "e"), order


def test_stackstorm_reverse_basic(sw):
    run = sw.run(text("mistral-reverse-basic.yaml"), {"cmd": "echo hi there", "timeout": 5},
                 registry=CORE_LOCAL)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"stdout": "hi there"}


def test_rally_join_100(sw):
    started = time.monotonic()
    run = sw.run(text("join_100_wb.yaml"), timeout=30)
    assert run.status == "SUCCEEDED", run.describe()
    counts = Counter(run.ran())
    assert counts["join_task"] == 1
    assert len(counts) == 101 and set(counts.values()) == {1}
    assert run.ran()[-1] == "join_task"
    assert time.monotonic() - started < 30
