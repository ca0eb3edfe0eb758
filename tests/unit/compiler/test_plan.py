"""Choosing a retry's plan from the tasks of the earlier attempt."""
from __future__ import annotations

from chalicelib.compiler.plan import EarlierTask, Plan, apply, choose
from chalicelib.language import load

WORKFLOW = load("""
version: '2.0'
wf:
  tasks:
    extract:
      on-success: [transform]
    transform:
      on-success: [load]
    load: {}
    audit:
      on-success: [report]
    report: {}
    begin:
      on-success: [poll]
    poll:
      on-success:
        - poll: <% false %>
        - done
    done: {}
""").main

OK, FAILED = EarlierTask("success", 1), EarlierTask("error", 1)


def test_failed_tasks_and_what_follows_them_run_again_the_rest_is_reused():
    earlier = {"extract": OK, "transform": FAILED, "audit": OK, "report": OK}
    plan = choose(WORKFLOW, earlier, ["transform"])
    assert plan == Plan(reuse=frozenset({"extract", "audit", "report"}))


def test_a_task_downstream_of_a_rerun_task_runs_again_even_if_it_succeeded():
    earlier = {"extract": OK, "transform": OK, "load": OK, "audit": OK, "report": OK}
    plan = choose(WORKFLOW, earlier, ["transform"])
    assert plan.reuse == {"extract", "audit", "report"}
    assert not plan.replay_errors


def test_failed_tasks_not_retried_fail_again():
    earlier = {"extract": FAILED, "audit": FAILED}
    plan = choose(WORKFLOW, earlier, ["audit"])
    assert plan == Plan(replay_errors=frozenset({"extract"}))


def test_tasks_in_loops_or_run_several_times_or_cancelled_run_again():
    earlier = {"begin": OK, "poll": OK, "done": OK, "extract": EarlierTask("success", 2),
               "audit": EarlierTask("cancelled", 1), "report": FAILED}
    plan = choose(WORKFLOW, earlier, ["report"])
    assert plan == Plan(reuse=frozenset({"begin"}))  # `done` follows `poll`, which reruns


def test_tasks_the_definition_no_longer_has_are_ignored():
    plan = choose(WORKFLOW, {"gone": OK, "extract": OK}, ["load"])
    assert plan == Plan(reuse=frozenset({"extract"}))


def test_plan_keys_name_the_plan_and_round_trip_through_json():
    plan = Plan(reuse=frozenset({"a", "b"}), skip=frozenset({"c"}))
    assert plan.key() == Plan(reuse=frozenset({"b", "a"}), skip=frozenset({"c"})).key()
    assert plan.key() != Plan(reuse=frozenset({"a"}), skip=frozenset({"b", "c"})).key()
    assert Plan.from_json(plan.to_json()) == plan
    assert not Plan() and plan


def test_apply_rewrites_only_planned_tasks_and_keeps_their_transitions():
    plan = Plan(reuse=frozenset({"extract"}), skip=frozenset({"audit"}))
    rewritten = apply(WORKFLOW, plan)
    assert rewritten.tasks["extract"].on_success == WORKFLOW.tasks["extract"].on_success
    assert rewritten.tasks["extract"].action != WORKFLOW.tasks["extract"].action
    assert rewritten.tasks["transform"] is WORKFLOW.tasks["transform"]
    assert apply(WORKFLOW, Plan()) is WORKFLOW
