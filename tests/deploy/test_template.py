"""The merged template: tables as the models define them, functions, rule, lint."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chalicelib import config
from chalicelib.store.models import MODELS

from .conftest import ROOT, packaging_env


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == kind}


def tables_by_name(template: dict) -> dict[str, dict]:
    return {body["Properties"]["TableName"]["Fn::Sub"]: body["Properties"]
            for body in resources(template, "AWS::DynamoDB::Table").values()}


def _keys(schema: list[dict]) -> dict[str, str]:
    return {key["AttributeName"]: key["KeyType"] for key in schema}


def _types(definitions: list[dict]) -> dict[str, str]:
    return {item["AttributeName"]: item["AttributeType"] for item in definitions}


def test_cfn_lint_finds_nothing(package_dir: Path) -> None:
    linted = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"),
                             str(package_dir / "sam.yaml")],
                            cwd=ROOT, env=packaging_env(), capture_output=True, text=True)
    assert (linted.returncode, linted.stdout) == (0, "")


def test_every_model_has_its_table_with_the_models_keys_and_indexes(template: dict) -> None:
    tables = tables_by_name(template)
    prefix = config.resolve_table_prefix()
    for model in MODELS:
        kind = model.Meta.table_name.removeprefix(f"{prefix}-")
        properties = tables.pop(f"${{Prefix}}-{kind}")
        schema = model._get_schema()
        assert _keys(properties["KeySchema"]) == _keys(schema["key_schema"]), kind
        assert _types(properties["AttributeDefinitions"]) == _types(
            schema["attribute_definitions"]), kind
        indexes = {index["IndexName"]: index
                   for index in properties.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {index["index_name"]
                                for index in schema["global_secondary_indexes"]}, kind
        for index in schema["global_secondary_indexes"]:
            made = indexes[index["index_name"]]
            assert _keys(made["KeySchema"]) == _keys(index["key_schema"])
            assert made["Projection"] == index["projection"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True}
        expiring = "expires" in model.get_attributes()
        assert ("TimeToLiveSpecification" in properties) == expiring, kind
    assert set(tables) == {"${Prefix}-joins", "${Prefix}-tokens"}


def test_joins_and_tokens_tables_have_the_keys_the_engine_uses(template: dict) -> None:
    tables = tables_by_name(template)
    joins, tokens = tables["${Prefix}-joins"], tables["${Prefix}-tokens"]
    assert _keys(joins["KeySchema"]) == {"pk": "HASH"}
    assert joins["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert _keys(tokens["KeySchema"]) == {"execution": "HASH", "task": "RANGE"}


def test_functions_are_named_as_the_code_addresses_them(template: dict) -> None:
    functions = resources(template, "AWS::Serverless::Function")
    names = {body["Properties"]["FunctionName"]["Fn::Sub"] for body in functions.values()}
    symbolic = {config.TABLE_PREFIX: "${Prefix}"}
    assert {config.resolve_actions_function(environ=symbolic),
            config.resolve_callbacks_function(environ=symbolic),
            config.resolve_scheduled_run_function(environ=symbolic)} <= names
    assert all(body["Properties"]["Runtime"] == "python3.13" for body in functions.values())


def test_handlers_resolve_to_functions_of_the_bundle(template: dict) -> None:
    import importlib

    for body in resources(template, "AWS::Serverless::Function").values():
        module, _, name = body["Properties"]["Handler"].rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))


def test_environment_names_only_settings_the_code_reads(template: dict) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    known = {value for name, value in vars(config).items()
             if name.isupper() and isinstance(value, str) and value.startswith("STEPWISE_")}
    assert set(variables) <= known
    assert variables[config.TABLE_PREFIX] == {"Ref": "Prefix"}
    assert variables[config.STATES_ROLE_ARN] == {"Fn::GetAtt": ["StatesRole", "Arn"]}


def test_status_changes_reach_the_app_through_one_rule_of_our_machines(template: dict) -> None:
    events = template["Resources"]["OnExecutionEvent"]["Properties"]["Events"]
    assert len(events) == 1
    pattern = events["OnExecutionEventEvent"]["Properties"]["Pattern"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert pattern["detail"]["stateMachineArn"] == [{"prefix": {"Fn::Sub": (
        "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:"
        "${Prefix}-wf")}}]
    assert not resources(template, "AWS::Events::Rule")


def test_event_driven_functions_have_dead_letter_queues_and_alarms(template: dict) -> None:
    functions = resources(template, "AWS::Serverless::Function")
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    watched_queues = {alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
                      for alarm in alarms if alarm["Properties"]["Namespace"] == "AWS/SQS"}
    watched_functions = {alarm["Properties"]["Dimensions"][0]["Value"]["Fn::Sub"]
                         for alarm in alarms if alarm["Properties"]["Namespace"] == "AWS/Lambda"}
    for name in ("OnExecutionEvent", "Sweeper", "ScheduledRun", "Callbacks"):
        queue = functions[name]["Properties"]["DeadLetterQueue"]["TargetArn"]["Fn::GetAtt"][0]
        assert queue in watched_queues
    assert watched_functions == {body["Properties"]["FunctionName"]["Fn::Sub"]
                                 for body in functions.values()}
