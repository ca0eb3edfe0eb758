"""Each role grants what infra/aws/permissions.py lists, with scoped resources, and the
table covers every AWS API call the deployed code makes through boto3."""
from __future__ import annotations

import ast
from pathlib import Path

import boto3

from infra.aws.permissions import FUNCTIONS, ROLES, UNSCOPED

from .conftest import REGION, ROOT

# boto3 service name -> IAM action prefix
IAM_PREFIX = {"stepfunctions": "states", "sesv2": "ses", "scheduler": "scheduler",
              "lambda": "lambda", "dynamodb": "dynamodb"}


def statements(template: dict, role: str) -> dict[str, tuple[dict, str | None]]:
    """The role's statements by Sid, each with the condition it depends on (if any)."""
    found: dict[str, tuple[dict, str | None]] = {}
    for policy in template["Resources"][role]["Properties"]["Policies"]:
        for entry in policy["PolicyDocument"]["Statement"]:
            condition = None
            if "Fn::If" in entry:
                condition, entry, otherwise = entry["Fn::If"]
                assert otherwise == {"Ref": "AWS::NoValue"}
            assert entry["Sid"] not in found, f"{role}: two statements {entry['Sid']}"
            found[entry["Sid"]] = (entry, condition)
    return found


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def test_every_function_has_its_own_role_from_the_table(template: dict) -> None:
    functions = {name: body for name, body in template["Resources"].items()
                 if body["Type"] == "AWS::Serverless::Function"}
    assert set(functions) == set(FUNCTIONS)
    for name, body in functions.items():
        assert body["Properties"]["Role"] == {"Fn::GetAtt": [FUNCTIONS[name], "Arn"]}
    assert len(set(FUNCTIONS.values())) == len(FUNCTIONS)


def test_roles_grant_exactly_the_tables_actions(template: dict) -> None:
    for role, table in ROLES.items():
        granted = statements(template, role)
        assert set(granted) == {statement.sid for statement in table}, role
        for statement in table:
            entry, condition = granted[statement.sid]
            assert entry["Effect"] == "Allow"
            assert sorted(_listed(entry["Action"])) == sorted(statement.actions), \
                (role, statement.sid)
            assert condition == statement.condition, (role, statement.sid)


def _scoped(resource: object, template: dict) -> bool:
    """A resource names something of this deployment: one of its resources, a parameter, or
    an ARN pattern built from the Prefix parameter."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0] in template["Resources"]
    if isinstance(resource, dict) and "Ref" in resource:
        return resource["Ref"] in template["Parameters"]
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = resource["Fn::Sub"]
        if text.startswith("${"):  # below one of the template's resources
            return text[2:].split(".", 1)[0] in template["Resources"]
        named = ("${Prefix}", "${EmailIdentity}", "${EmailConfigurationSet}",
                 "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule")
        return text.startswith("arn:${AWS::Partition}:") and "${AWS::AccountId}" in text \
            and any(name in text for name in named)
    return False


def test_no_wildcard_actions_and_resources_scoped_where_aws_allows(template: dict) -> None:
    for role in ROLES:
        for sid, (entry, _) in statements(template, role).items():
            actions = _listed(entry["Action"])
            assert not any("*" in action for action in actions), (role, sid)
            resources = _listed(entry["Resource"])
            if resources == ["*"]:
                assert set(actions) <= set(UNSCOPED), (role, sid)
                continue
            if isinstance(entry["Resource"], dict) and "Ref" in entry["Resource"]:
                resources = [entry["Resource"]]
            for resource in resources:
                assert _scoped(resource, template), (role, sid, resource)


def _boto_calls() -> set[str]:
    """IAM actions of the boto3 client methods called in chalicelib and app.py, for each
    file from the services it creates clients of with `clients.client("...")`."""
    methods = {service: boto3.client(service, region_name=REGION).meta.method_to_api_mapping
               for service in IAM_PREFIX}
    found: set[str] = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        tree = ast.parse(path.read_text())
        services = {node.args[0].value for node in ast.walk(tree)
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "client" and node.args
                    and isinstance(node.args[0], ast.Constant)}
        assert services <= set(IAM_PREFIX), f"{path}: a client of {services - set(IAM_PREFIX)}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                for service in services:
                    operation = methods[service].get(node.func.attr)
                    if operation:
                        found.add(f"{IAM_PREFIX[service]}:{operation}")
    return found


def test_every_boto3_call_of_the_code_is_granted() -> None:
    calls = _boto_calls()
    assert {"states:StartExecution", "scheduler:CreateSchedule", "ses:SendEmail",
            "lambda:Invoke", "dynamodb:PutItem"} <= calls
    granted = {action for role in FUNCTIONS.values() for statement in ROLES[role]
               for action in statement.actions}
    # lambda:Invoke is the API operation; IAM names its action lambda:InvokeFunction
    needed = {"lambda:InvokeFunction" if call == "lambda:Invoke" else call for call in calls}
    assert needed - granted == set()
