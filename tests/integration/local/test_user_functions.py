"""Users' Lambda functions mapped to Python handlers by a local config file."""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from chalicelib.compiler import Target, compile_text
from infra.local.host import LocalAWS
from infra.local.sfn import ACCOUNT_ID, deploy_state_machine, start_execution, wait_for
from infra.local.user_functions import (
    FunctionsConfigError,
    deploy_user_functions,
    load_functions_config,
)

pytestmark = pytest.mark.moto


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def handler_module(directory: Path, *, name: str | None = None) -> str:
    """A handler module (and a helper module beside it) in `directory`; gives its name.
    Module names are unique per test: Python keeps one module per name in the process."""
    module = name or unique("user_handler")
    helper = unique("user_helper")
    write(directory / f"{helper}.py", "def double(value):\n    return value * 2\n")
    write(directory / f"{module}.py", f"""
        import os

        from {helper} import double


        def handler(event, context):
            return {{
                "doubled": double(event.get("n", 0)),
                "greeting": os.environ.get("GREETING"),
                "debug": os.environ.get("DEBUG"),
                "function": context.function_name,
                "remaining_ms": context.get_remaining_time_in_millis(),
            }}


        def fail(event, context):
            raise ValueError("nope")


        not_callable = 42
    """)
    return module


def invoke(local_aws: LocalAWS, name: str, payload: Any) -> tuple[Any, str | None]:
    answer = local_aws.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload))
    return json.loads(answer["Payload"].read()), answer.get("FunctionError")


def test_a_configured_function_runs_its_handler_with_its_environment(
        local_aws: LocalAWS, tmp_path: Path) -> None:
    module = handler_module(tmp_path / "lambdas")
    name = unique("my-fn").replace("_", "-")
    config = write(tmp_path / "stepwise.functions.yaml", f"""
        functions:
          {name}:
            handler: {module}.handler
            code_dir: ./lambdas
            timeout: 20
            environment: {{GREETING: hello, DEBUG: true}}
    """)
    assert "GREETING" not in os.environ
    arns = deploy_user_functions(local_aws, config)
    assert arns == {name: f"arn:aws:lambda:{local_aws.region}:{ACCOUNT_ID}:function:{name}"}
    result, error = invoke(local_aws, name, {"n": 21})
    assert error is None, result
    assert result["doubled"] == 42 and result["function"] == name
    assert (result["greeting"], result["debug"]) == ("hello", "true")
    assert 15_000 < result["remaining_ms"] <= 20_000
    # The variables are set only while the handler runs.
    assert "GREETING" not in os.environ and "DEBUG" not in os.environ
    described = local_aws.client("lambda").get_function_configuration(FunctionName=name)
    assert described["Timeout"] == 20
    assert described["Environment"]["Variables"] == {"GREETING": "hello", "DEBUG": "true"}


def test_a_compiled_workflow_calls_the_configured_function(
        local_aws: LocalAWS, tmp_path: Path) -> None:
    module = handler_module(tmp_path)
    name = unique("wf-fn").replace("_", "-")
    # JSON is YAML too; code_dir defaults to the file's directory.
    config = write(tmp_path / "functions.json", json.dumps(
        {"functions": {name: {"handler": f"{module}.handler",
                              "environment": {"GREETING": "from json"}}}}))
    deploy_user_functions(local_aws, config)
    compiled = compile_text(f"""
version: '2.0'
wf:
  tasks:
    call:
      action: aws.lambda
      input:
        function_name: {name}
        payload: {{n: 5}}
      publish: {{answer: <% task().result %>}}
""", Target(region=local_aws.region, account=ACCOUNT_ID, machine_prefix="userfn"))
    machine = deploy_state_machine(local_aws, compiled["wf"].definition, name=unique("userfn"))
    result = wait_for(local_aws, start_execution(local_aws, machine, {}))
    assert result.succeeded, result.describe()
    answer = result.output["answer"]
    assert (answer["doubled"], answer["greeting"], answer["function"]) == (10, "from json", name)


def test_a_handler_error_is_the_function_error(local_aws: LocalAWS, tmp_path: Path) -> None:
    module = handler_module(tmp_path)
    name = unique("failing-fn").replace("_", "-")
    config = write(tmp_path / "f.yaml", f"functions: {{{name}: {{handler: {module}.fail}}}}\n")
    deploy_user_functions(local_aws, config)
    result, error = invoke(local_aws, name, {})
    assert error == "Unhandled"
    assert (result["errorType"], result["errorMessage"]) == ("ValueError", "nope")


def test_redeploying_updates_the_function(local_aws: LocalAWS, tmp_path: Path) -> None:
    module = handler_module(tmp_path)
    name = unique("again-fn").replace("_", "-")
    first = write(tmp_path / "a.yaml", f"""
        functions:
          {name}: {{handler: {module}.handler, environment: {{GREETING: one}}}}
    """)
    second = write(tmp_path / "b.yaml", f"""
        functions:
          {name}: {{handler: {module}.handler, timeout: 7}}
    """)
    deploy_user_functions(local_aws, first)
    deploy_user_functions(local_aws, second)
    result, _ = invoke(local_aws, name, {})
    assert result["greeting"] is None and result["remaining_ms"] <= 7_000


# -- what the file must look like -----------------------------------------------------------


def check_error(tmp_path: Path, text: str, *expected: str) -> None:
    config = write(tmp_path / "stepwise.functions.yaml", text)
    with pytest.raises(FunctionsConfigError) as raised:
        load_functions_config(config)
    message = str(raised.value)
    assert message.startswith(str(config.resolve())), message
    for part in expected:
        assert part in message, message


@pytest.mark.parametrize(("text", "expected"), [
    ("functions: [\n", ("not valid YAML",)),
    ("- a\n- b\n", ("must be a mapping with a 'functions' key",)),
    ("{}\n", ("must be a mapping with a 'functions' key",)),
    ("functions: {}\nextra: 1\n", ("unknown top-level key 'extra'",)),
    ("functions: [a]\n", ("functions: must be a mapping of function names",)),
    ("functions: {'bad name': {handler: m.h}}\n", ("functions.bad name:", "1-64 letters")),
    ("functions: {fn: m.h}\n", ("functions.fn: must be a mapping with a handler",)),
    ("functions: {fn: {handler: m.h, memory: 128}}\n",
     ("functions.fn: unknown key 'memory'", "allowed: handler, code_dir, timeout, environment")),
    ("functions: {fn: {code_dir: .}}\n", ("functions.fn.handler: must be module.attribute",)),
    ("functions: {fn: {handler: handler}}\n", ("functions.fn.handler: must be module.attribute",)),
    ("functions: {fn: {handler: my-module.handler}}\n", ("functions.fn.handler",)),
    ("functions: {fn: {handler: m.h, code_dir: ./missing}}\n",
     ("functions.fn.code_dir:", "missing is not a directory")),
    ("functions: {fn: {handler: m.h, code_dir: 3}}\n",
     ("functions.fn.code_dir: must be a directory path",)),
    ("functions: {fn: {handler: m.h, timeout: 0}}\n", ("functions.fn.timeout", "1 to 900")),
    ("functions: {fn: {handler: m.h, timeout: 901}}\n", ("functions.fn.timeout",)),
    ("functions: {fn: {handler: m.h, timeout: 2.5}}\n", ("functions.fn.timeout",)),
    ("functions: {fn: {handler: m.h, timeout: true}}\n", ("functions.fn.timeout",)),
    ("functions: {fn: {handler: m.h, environment: [A]}}\n",
     ("functions.fn.environment: must be a mapping",)),
    ("functions: {fn: {handler: m.h, environment: {1BAD: x}}}\n",
     ("functions.fn.environment.1BAD: a variable name",)),
    ("functions: {fn: {handler: m.h, environment: {KEY: [1]}}}\n",
     ("functions.fn.environment.KEY: must be a string or number, not list",)),
])
def test_config_errors_name_the_file_and_the_key(tmp_path: Path, text: str,
                                                 expected: tuple[str, ...]) -> None:
    check_error(tmp_path, text, *expected)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(FunctionsConfigError, match="cannot read the functions config"):
        load_functions_config(tmp_path / "absent.yaml")


def test_handlers_must_import_and_be_callable_at_start(tmp_path: Path) -> None:
    module = handler_module(tmp_path / "code")
    check_error(tmp_path, f"functions: {{fn: {{handler: {unique('absent')}.h, code_dir: code}}}}\n",
                "functions.fn.handler: Unable to import module")
    check_error(tmp_path, f"functions: {{fn: {{handler: {module}.missing, code_dir: code}}}}\n",
                "functions.fn.handler: Handler 'missing' missing")
    check_error(tmp_path, f"functions: {{fn: {{handler: {module}.not_callable, code_dir: code}}}}\n",
                "functions.fn.handler: Handler 'not_callable' missing")
    broken = unique("broken")
    write(tmp_path / "code" / f"{broken}.py", "raise RuntimeError('import-time failure')\n")
    check_error(tmp_path, f"functions: {{fn: {{handler: {broken}.h, code_dir: code}}}}\n",
                "functions.fn.handler: Unable to import module", "import-time failure")


def test_code_dir_is_on_sys_path_only_while_importing(tmp_path: Path) -> None:
    import sys

    module = handler_module(tmp_path / "code")
    config = write(tmp_path / "f.yaml", f"functions: {{fn: {{handler: {module}.handler, "
                                        "code_dir: code}}\n")
    [function] = load_functions_config(config)
    assert function.code_dir == (tmp_path / "code").resolve()
    assert str(function.code_dir) not in sys.path
    assert sys.modules[module].__file__ == str(function.code_dir / f"{module}.py")


def test_two_functions_whose_modules_share_a_name_are_refused(tmp_path: Path) -> None:
    shared = unique("same_name")
    handler_module(tmp_path / "one", name=shared)
    handler_module(tmp_path / "two", name=shared)
    check_error(tmp_path, f"""
        functions:
          first: {{handler: {shared}.handler, code_dir: one}}
          second: {{handler: {shared}.handler, code_dir: two}}
    """, "functions.second.handler:", f"module '{shared}' is already loaded from",
         "rename one")
