"""Structural check of ASL documents, and every compiled corpus workflow passing it."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from chalicelib.compiler import compile_text
from chalicelib.compiler.asl_check import InvalidStateMachine, check
from chalicelib.errors import StepwiseError

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"


def machine(states: dict, start: str = "A", **extra) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states, **extra}


def faults(definition: dict) -> list[str]:
    try:
        check(definition)
    except InvalidStateMachine as error:
        return error.faults
    return []


VALID = machine({
    "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Arguments": "{% {\"FunctionName\": \"f\"} %}", "Output": "{% $states.result %}",
          "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2,
                     "IntervalSeconds": 3, "BackoffRate": 1.0}],
          "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Failed"},
                    {"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
          "Next": "Decide"},
    "Decide": {"Type": "Choice",
               "Choices": [{"Condition": "{% $states.input.x = 1 %}", "Next": "Fan"}],
               "Default": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 5, "Next": "Fan"},
    "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
        {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
        {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "Output": "{% 1 %}", "End": True}}},
    ]},
    "Each": {"Type": "Map", "Items": "{% [1, 2] %}", "MaxConcurrency": 2, "Next": "Done",
             "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item",
                               "States": {"Item": {"Type": "Pass", "End": True}}}},
    "Done": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "E", "Cause": "c"},
})


def with_state(name: str, state: dict) -> dict:
    """The valid machine with one state replaced or added (added states are reachable
    from a Choice rule of Decide)."""
    definition = copy.deepcopy(VALID)
    if name not in definition["States"]:
        definition["States"]["Decide"]["Choices"].append(
            {"Condition": "{% true %}", "Next": name})
    definition["States"][name] = state
    return definition


def test_valid_machine_passes():
    assert check(VALID) is None
    assert faults(VALID) == []


def test_minimal_machines_pass():
    assert faults(machine({"A": {"Type": "Succeed"}})) == []
    assert faults({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}) == []
    assert faults(machine({"A": {"Type": "Pass", "Next": "B", "End": False},
                           "B": {"Type": "Succeed"}})) == []


def test_error_carries_every_fault_and_a_message_of_the_first_five():
    definition = machine({"A": {"Type": "Pass"}, "B": {"Type": "Bogus"},
                          "C": {"Type": "Pass", "Next": "Z"}, "D": {"Type": "Succeed"}})
    with pytest.raises(InvalidStateMachine) as caught:
        check(definition)
    error = caught.value
    assert isinstance(error, StepwiseError)
    assert error.status == 500
    assert error.code == "invalid_state_machine"
    assert error.faults == [
        "A: exactly one of Next and End is required",
        "B: unknown Type 'Bogus'",
        "C: transition to unknown state 'Z'",
        "B: state is not reachable from StartAt",
        "C: state is not reachable from StartAt",
        "D: state is not reachable from StartAt",
    ]
    assert error.message == "compiled state machine is invalid: " + "; ".join(error.faults[:5])
    assert "D: state" not in str(error)


def test_unknown_type():
    assert faults(machine({"A": {"Type": "Sleep", "End": True}})) == [
        "A: unknown Type 'Sleep'"]
    assert faults(machine({"A": {"End": True}})) == ["A: unknown Type None"]


def test_field_not_allowed_for_the_type():
    assert faults(machine({"A": {"Type": "Pass", "Resource": "x", "End": True}})) == [
        "A: field Resource is not allowed in a Pass state"]
    assert faults(machine({"A": {"Type": "Succeed", "Next": "A"}})) == [
        "A: field Next is not allowed in a Succeed state"]
    assert faults(machine({"A": {"Type": "Task", "Resource": "r", "End": True,
                                 "ResultPath": "$.x"}})) == [
        "A: field ResultPath is not allowed in a Task state"]


def test_missing_next_and_end():
    assert faults(machine({"A": {"Type": "Pass"}})) == [
        "A: exactly one of Next and End is required"]
    assert faults(machine({"A": {"Type": "Wait", "Seconds": 1, "End": False}})) == [
        "A: exactly one of Next and End is required"]


def test_both_next_and_end():
    assert faults(machine({"A": {"Type": "Pass", "Next": "B", "End": True},
                           "B": {"Type": "Succeed"}})) == [
        "A: exactly one of Next and End is required"]


def test_dangling_transitions():
    assert faults(machine({"A": {"Type": "Pass", "Next": "Nowhere"}})) == [
        "A: transition to unknown state 'Nowhere'"]
    assert faults(with_state("Decide", {"Type": "Choice", "Default": "Gone", "Choices": [
        {"Condition": "{% true %}", "Next": "Lost"}]})) == [
        "Decide: transition to unknown state 'Lost'",
        "Decide: transition to unknown state 'Gone'",
        "Pause: state is not reachable from StartAt",
        "Fan: state is not reachable from StartAt",
        "Each: state is not reachable from StartAt",
        "Done: state is not reachable from StartAt",
    ]
    catching = copy.deepcopy(VALID)
    catching["States"]["A"]["Catch"][0]["Next"] = "Missing"
    assert faults(catching) == ["A: transition to unknown state 'Missing'"]


def test_start_at_must_name_a_state():
    assert faults(machine({"A": {"Type": "Succeed"}}, start="B")) == [
        "machine: StartAt 'B' is not a state",
        "A: state is not reachable from StartAt",
    ]


def test_states_must_be_a_non_empty_object():
    assert faults(machine({})) == ["machine: States must be a non-empty object"]
    assert faults({"StartAt": "A"}) == ["machine: States must be a non-empty object"]


def test_query_language_must_be_known():
    assert faults(machine({"A": {"Type": "Succeed"}}, QueryLanguage="YAQL")) == [
        "QueryLanguage must be JSONata or JSONPath"]


def test_unreachable_state():
    definition = with_state("Orphan", {"Type": "Pass", "End": True})
    definition["States"]["Decide"]["Choices"].pop()
    assert faults(definition) == ["Orphan: state is not reachable from StartAt"]
    # a state reached only from an unreachable one is unreachable too
    assert faults(machine({"A": {"Type": "Succeed"}, "B": {"Type": "Pass", "Next": "C"},
                           "C": {"Type": "Succeed"}})) == [
        "B: state is not reachable from StartAt", "C: state is not reachable from StartAt"]


def test_unreachable_state_inside_a_branch():
    definition = copy.deepcopy(VALID)
    definition["States"]["Fan"]["Branches"][0]["States"]["Stray"] = {"Type": "Succeed"}
    assert faults(definition) == ["Fan.Branches[0].Stray: state is not reachable from StartAt"]


def test_duplicate_state_name_across_parallel_branches():
    definition = copy.deepcopy(VALID)
    definition["States"]["Fan"]["Branches"][1] = {
        "StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}
    assert faults(definition) == ["Fan.Branches[1].B1: state name used twice"]


def test_duplicate_of_a_top_level_name_inside_a_map():
    definition = copy.deepcopy(VALID)
    definition["States"]["Each"]["ItemProcessor"] = {
        "StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    assert faults(definition) == ["Done: state name used twice"]


def test_state_name_longer_than_80_characters():
    long = "N" * 81
    assert faults(machine({long: {"Type": "Succeed"}}, start=long)) == [
        f"{long}: state names must have 1 to 80 characters"]
    fits = "N" * 80
    assert faults(machine({fits: {"Type": "Succeed"}}, start=fits)) == []
    assert faults(machine({"": {"Type": "Succeed"}}, start="")) == [
        ": state names must have 1 to 80 characters"]


def test_choice_without_rules():
    assert faults(with_state("Decide", {"Type": "Choice", "Choices": [],
                                        "Default": "Pause"})) == [
        "Decide: a Choice needs at least one rule"]
    assert faults(machine({"A": {"Type": "Choice", "Default": "B"},
                           "B": {"Type": "Succeed"}})) == [
        "A: a Choice needs at least one rule"]


def test_choice_rule_needs_condition_and_next():
    assert faults(machine({"A": {"Type": "Choice", "Default": "B",
                                 "Choices": [{"Next": "B"}]},
                           "B": {"Type": "Succeed"}})) == [
        "A: each Choice rule needs Condition and Next"]


def test_retry_interval_zero():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Retry"][0]["IntervalSeconds"] = 0
    assert faults(definition) == ["A.Retry[0]: IntervalSeconds ≥ 1 and MaxAttempts ≥ 0"]


def test_retry_negative_attempts_and_backoff_below_one():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Retry"] = [
        {"ErrorEquals": ["X"], "MaxAttempts": -1},
        {"ErrorEquals": ["Y"], "BackoffRate": 0.5},
        {"ErrorEquals": []},
    ]
    assert faults(definition) == [
        "A.Retry[0]: IntervalSeconds ≥ 1 and MaxAttempts ≥ 0",
        "A.Retry[1]: BackoffRate must be at least 1.0",
        "A.Retry[2]: ErrorEquals must list at least one error",
    ]


def test_states_all_not_last_in_catch():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Catch"].reverse()
    assert faults(definition) == ["A.Catch[0]: States.ALL must be alone and last"]


def test_states_all_not_alone():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Catch"] = [
        {"ErrorEquals": ["States.Timeout", "States.ALL"], "Next": "Failed"}]
    assert faults(definition) == ["A.Catch[0]: States.ALL must be alone and last"]
    definition["States"]["A"]["Retry"] = [{"ErrorEquals": ["States.ALL"]},
                                          {"ErrorEquals": ["X"]}]
    assert faults(definition) == ["A.Retry[0]: States.ALL must be alone and last",
                                  "A.Catch[0]: States.ALL must be alone and last"]


def test_catcher_without_next():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Catch"][0].pop("Next")
    assert faults(definition) == ["A.Catch[0]: a catcher needs Next"]


def test_malformed_expression():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Output"] = "{% $states.result"
    assert faults(definition) == ["A.Output: malformed {% %} expression"]
    definition["States"]["A"]["Output"] = "$states.result %}"
    assert faults(definition) == ["A.Output: malformed {% %} expression"]


def test_malformed_expression_nested_in_arguments_and_choices():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Arguments"] = {"Payload": {"x": ["ok", "{% $x"]}}
    definition["States"]["Decide"]["Choices"][0]["Condition"] = "{% $states.input.x = 1"
    assert faults(definition) == [
        "A.Arguments.Payload.x: malformed {% %} expression",
        "Decide.Choices.Condition: malformed {% %} expression",
    ]


def test_malformed_expression_inside_a_branch_is_reported_once():
    definition = copy.deepcopy(VALID)
    definition["States"]["Fan"]["Branches"][1]["States"]["B2"]["Output"] = "{% 1"
    assert faults(definition) == ["Fan.Branches[1].B2.Output: malformed {% %} expression"]


def test_plain_strings_and_padded_expressions_are_fine():
    definition = copy.deepcopy(VALID)
    definition["States"]["A"]["Comment"] = "100% done {not an expression}"
    definition["States"]["A"]["Output"] = "  {% $states.result %}  "
    assert faults(definition) == []


def test_map_without_item_processor():
    definition = copy.deepcopy(VALID)
    del definition["States"]["Each"]["ItemProcessor"]
    assert faults(definition) == ["Each: a Map needs an ItemProcessor"]


def test_map_item_processor_is_checked():
    definition = copy.deepcopy(VALID)
    definition["States"]["Each"]["ItemProcessor"]["States"]["Item"] = {"Type": "Pass"}
    assert faults(definition) == [
        "Each.ItemProcessor.Item: exactly one of Next and End is required"]


def test_wait_with_both_seconds_and_timestamp():
    definition = copy.deepcopy(VALID)
    definition["States"]["Pause"]["Timestamp"] = "2030-01-01T00:00:00Z"
    assert faults(definition) == ["Pause: a Wait needs exactly one of Seconds and Timestamp"]


def test_wait_with_neither_seconds_nor_timestamp():
    definition = copy.deepcopy(VALID)
    del definition["States"]["Pause"]["Seconds"]
    assert faults(definition) == ["Pause: a Wait needs exactly one of Seconds and Timestamp"]


def test_parallel_without_branches_and_task_without_resource():
    definition = copy.deepcopy(VALID)
    definition["States"]["Fan"]["Branches"] = []
    del definition["States"]["A"]["Resource"]
    assert faults(definition) == ["A: a Task needs a Resource",
                                  "Fan: a Parallel needs at least one branch"]


def test_check_does_not_change_the_definition():
    definition = copy.deepcopy(VALID)
    check(definition)
    assert definition == VALID


# -- the corpus --------------------------------------------------------------------------
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


def test_corpus_is_present():
    assert len(CORPUS_FILES) == 32


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_every_compiled_corpus_workflow_is_valid(path):
    compiled = compile_text(path.read_text())
    assert compiled
    for name, workflow in compiled.items():
        assert workflow.name == name
        definition = workflow.definition
        assert definition["QueryLanguage"] == "JSONata"
        assert definition["StartAt"] in definition["States"]
        assert check(definition) is None
        assert json.loads(json.dumps(definition)) == definition
        assert check(json.loads(json.dumps(definition))) is None
