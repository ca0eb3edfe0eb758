"""`stepwise` command line: check, compile and draw workflows, and run them on a Stepwise API.

Offline: validate, compile, graph FILE, local, create-user. Against a Stepwise API (local or
AWS): run, executions, backfill, logs, cancel, resume, retry, rerun and graph --execution; they take the
URL and API key from --url / --api-key, STEPWISE_URL / STEPWISE_API_KEY, the config file or
.local-data/local.json, in that order (see `stepwise.settings`).

Exit codes (scripts depend on them): 0 success; 1 the definition is invalid (each problem on
stderr as ``FILE:LINE:COLUMN: message``); 2 usage errors, unreadable files, missing connection
settings, an API that cannot be reached, or an error answer from the API, whatever its status
(on stderr as ``stepwise: HTTP 404: description``); 3 the watched execution failed; 4 the
watched execution was cancelled; 130 Ctrl-C stopped the watching (the execution goes on).
"""
from __future__ import annotations

import argparse
import os
import json
import sys
from collections.abc import Callable
from pathlib import Path

from chalicelib.errors import InvalidDefinition
from stepwise.api_client import Client, ClientError
from stepwise.inputs import BadInput
from stepwise.settings import SettingsError, resolve

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_FAILED, EXIT_CANCELLED, EXIT_INTERRUPTED = 3, 4, 130
EXIT_BY_STATE = {"succeeded": EXIT_OK, "failed": EXIT_FAILED, "cancelled": EXIT_CANCELLED}


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _report(path: str, error: InvalidDefinition) -> None:
    for problem in error.problems:
        print(problem.render(path), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from chalicelib.language import check
    status = EXIT_OK
    for path in args.files:
        problems = check(_read(path))
        for problem in problems:
            print(problem.render(path), file=sys.stderr)
        if problems:
            status = EXIT_INVALID
        elif not args.quiet:
            print(f"{path}: valid")
    return status


def _unknown_workflow(source: str, name: str, document) -> int:
    print(f"{source}: no workflow named {name!r}; "
          f"choose one of {', '.join(document.workflows)}", file=sys.stderr)
    return EXIT_USAGE


def cmd_compile(args: argparse.Namespace) -> int:
    from chalicelib.compiler import Target, compile_workflow
    from chalicelib.language import load
    try:
        document = load(_read(args.file))
    except InvalidDefinition as error:
        _report(args.file, error)
        return EXIT_INVALID
    target = Target(region=args.region, account=args.account)
    names = [args.workflow] if args.workflow else list(document.workflows)
    unknown = [n for n in names if n not in document.workflows]
    if unknown:
        return _unknown_workflow(args.file, unknown[0], document)
    entry = names[0]  # target tasks select what the started (first or chosen) workflow runs
    if args.target_task and document.workflows[entry].type != "reverse":
        print(f"{args.file}: --target-task applies to reverse workflows; "
              f"'{entry}' is direct", file=sys.stderr)
        return EXIT_USAGE
    try:
        compiled = {n: compile_workflow(document, n, target,
                                        args.target_task if n == entry else None)
                    for n in names}
    except InvalidDefinition as error:
        _report(args.file, error)
        return EXIT_INVALID
    if len(compiled) == 1:
        output = next(iter(compiled.values())).definition
    else:
        output = {name: c.definition for name, c in compiled.items()}
    json.dump(output, sys.stdout, indent=2 if args.pretty else None, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_local(args: argparse.Namespace) -> int:
    from stepwise.local import serve
    return serve(port=args.port, data_dir=args.data_dir, example=args.example,
                 functions=args.functions)


def cmd_create_user(args: argparse.Namespace) -> int:
    """Creates a user (an administrator unless --no-admin) and prints its first API key."""
    from chalicelib.errors import StepwiseError
    from chalicelib.service.users import bootstrap_admin
    from chalicelib.store.tables import create_tables

    try:
        if args.create_tables:
            create_tables()
        user, token = bootstrap_admin(name=args.name, email=args.email, username=args.username,
                                      seconds=args.expires_days * 86400, admin=args.admin)
    except StepwiseError as error:
        print(f"stepwise: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps({"user_id": int(user.id), "username": user.username, "api_key": token}))
    return EXIT_OK


def _client(args: argparse.Namespace) -> Client:
    return Client(resolve(args.url, args.api_key))


def cmd_graph(args: argparse.Namespace) -> int:
    from chalicelib.language import load
    from stepwise.graph import dot, mermaid, task_graph

    if (args.file is None) == (args.execution is None):
        print("stepwise graph: give either FILE or --execution WORKFLOW_ID EXECUTION_ID",
              file=sys.stderr)
        return EXIT_USAGE
    states = None
    if args.execution:
        workflow_id, execution_id = args.execution
        execution = _client(args).execution(workflow_id, execution_id)
        source, text = f"execution {execution_id}", execution["definition"]
        states = {task["name"]: task["mistralState"] for task in execution["tasks"]}
    else:
        source, text = args.file, _read(args.file)
    try:
        document = load(text)
    except InvalidDefinition as error:
        _report(source, error)
        return EXIT_INVALID
    name = args.workflow or document.main.name
    if name not in document.workflows:
        return _unknown_workflow(source, name, document)
    graph = task_graph(document.workflows[name], states)
    sys.stdout.write(dot(graph) if args.format == "dot" else mermaid(graph))
    return EXIT_OK


def _print_json(value) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _show(args: argparse.Namespace, client: Client, workflow_id: int, execution: dict) -> int:
    """Prints the execution, or follows it to its end with --watch; gives the exit code."""
    from stepwise.render import execution_line
    from stepwise.watch import follow, view_for

    if not getattr(args, "watch", False):
        if args.json:
            _print_json(execution)
        else:
            print(execution_line(workflow_id, execution))
        return EXIT_OK
    # with --json, stdout is kept for the final execution's JSON
    view = view_for(sys.stderr if args.json else sys.stdout)
    try:
        final = follow(client, workflow_id, execution["id"], view, args.interval)
    except KeyboardInterrupt:
        print(f"\nstepwise: stopped watching; execution {execution['id']} goes on. Cancel it "
              f"with: stepwise cancel {workflow_id} {execution['id']}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        _print_json(final)
    return EXIT_BY_STATE[final["state"]]


def _report_stored(path: str, workflow: dict) -> None:
    """The stored workflow's problems, located in the file they came from."""
    for line in (workflow.get("validationErrors") or "").splitlines():
        if line.startswith("definition:"):
            line = path + line[len("definition"):]
        print(line, file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from stepwise.inputs import execution_input

    if args.file == "-" and not args.name:
        print("stepwise run: a definition read from stdin needs --name", file=sys.stderr)
        return EXIT_USAGE
    definition = _read(args.file)
    given = execution_input(args.input, args.input_json)
    name = args.name or Path(args.file).stem
    client = _client(args)
    existing = client.owned_workflow_named(name)
    if existing:
        workflow = client.update_definition(existing["id"], definition)
        print(f"updated workflow {workflow['id']} {name!r}", file=sys.stderr)
    else:
        workflow = client.create_workflow(name, definition)
        print(f"created workflow {workflow['id']} {name!r}", file=sys.stderr)
    if not workflow["valid"]:
        _report_stored(args.file, workflow)
        return EXIT_INVALID
    return _show(args, client, workflow["id"], client.start(workflow["id"], given))


def cmd_executions(args: argparse.Namespace) -> int:
    from stepwise.render import executions_table

    listed = _client(args).executions(args.workflow_id, args.limit)
    if args.json:
        _print_json(listed)
    else:
        print("\n".join(executions_table(listed)))
    return EXIT_OK


def cmd_logs(args: argparse.Namespace) -> int:
    from stepwise.render import log_lines

    execution = _client(args).execution(args.workflow_id, args.execution_id)
    if args.json:
        _print_json(execution)
    else:
        print("\n".join(log_lines(execution)))
    return EXIT_OK


def cmd_cancel(args: argparse.Namespace) -> int:
    client = _client(args)
    return _show(args, client, args.workflow_id,
                 client.cancel(args.workflow_id, args.execution_id))


def cmd_resume(args: argparse.Namespace) -> int:
    client = _client(args)
    return _show(args, client, args.workflow_id,
                 client.resume(args.workflow_id, args.execution_id))


def cmd_retry(args: argparse.Namespace) -> int:
    client = _client(args)
    return _show(args, client, args.workflow_id,
                 client.retry(args.workflow_id, args.execution_id, args.task))


def cmd_rerun(args: argparse.Namespace) -> int:
    client = _client(args)
    return _show(args, client, args.workflow_id,
                 client.rerun(args.workflow_id, args.execution_id, args.from_task))


def cmd_backfill(args: argparse.Namespace) -> int:
    result = _client(args).backfill(args.workflow_id, args.start, args.end,
                                    dry_run=args.dry_run, max_runs=args.max_runs)
    if args.json:
        _print_json(result)
        return EXIT_OK
    for run in result["runs"]:
        execution = "" if run["executionId"] is None else f" execution {run['executionId']}"
        reason = f" ({run['reason']})" if run["reason"] else ""
        print(f"{run['scheduledTime']} {run['state']}{execution}{reason}")
    verb = "would run" if result["dryRun"] else "runs"
    more = "; the window holds more (raise --max-runs)" if result["truncated"] else ""
    print(f"{len(result['runs'])} {verb}{more}", file=sys.stderr)
    return EXIT_OK


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


def _remote_options(default) -> argparse.ArgumentParser:
    """--url and --api-key; `default` is None before the command name and SUPPRESS after it,
    so that a value given before the command is not reset by the command's own default."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("connection")
    group.add_argument("--url", default=default,
                       help="the API's URL (else STEPWISE_URL, the config file, "
                            ".local-data/local.json)")
    group.add_argument("--api-key", default=default,
                       help="the API key (prefer STEPWISE_API_KEY or the config file: other "
                            "users of this machine can read command lines)")
    return options


def _add_remote_commands(sub, remote: argparse.ArgumentParser) -> None:
    json_output = argparse.ArgumentParser(add_help=False)
    json_output.add_argument("--json", action="store_true", help="print the API's JSON")
    watching = argparse.ArgumentParser(add_help=False)
    watching.add_argument("--watch", action="store_true",
                          help="follow the execution to its end; exit 0 succeeded, 3 failed, "
                               "4 cancelled")
    watching.add_argument("--interval", type=_positive(float), default=0.5,
                          help="seconds between two readings with --watch (default 0.5)")

    def one_execution(name: str, help: str, *parents) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help, parents=[remote, json_output, *parents])
        command.add_argument("workflow_id", type=int, metavar="WORKFLOW_ID")
        command.add_argument("execution_id", type=int, metavar="EXECUTION_ID")
        return command

    run = sub.add_parser("run", help="store a definition as your workflow and start it",
                         parents=[remote, json_output, watching],
                         description="Creates the workflow (named after the file) or, if you "
                                     "own one of that name, updates its definition; then "
                                     "starts an execution.")
    run.add_argument("file", metavar="FILE", help="YAML file, or - for stdin (with --name)")
    run.add_argument("--name", help="the workflow's name (default: the file name without "
                                    "its extension)")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                     help="an input parameter; VALUE is read as JSON when it is JSON, "
                          "else as text (repeatable)")
    run.add_argument("--input-json", metavar="JSON", help="input parameters as a JSON object "
                                                          "(--input values go on top)")
    run.set_defaults(run=cmd_run)

    executions = sub.add_parser("executions", help="list a workflow's executions",
                                parents=[remote, json_output])
    executions.add_argument("workflow_id", type=int, metavar="WORKFLOW_ID")
    executions.add_argument("--limit", type=_positive(int), default=20,
                            help="how many of the newest (default 20)")
    executions.set_defaults(run=cmd_executions)

    backfill = sub.add_parser("backfill", help="run what a workflow's schedule would have "
                                               "run in a past window",
                              parents=[remote, json_output],
                              description="One execution per scheduled time in [START, END), "
                                          "in the workflow's time zone; a time already run "
                                          "is not run again.")
    backfill.add_argument("workflow_id", type=int, metavar="WORKFLOW_ID")
    backfill.add_argument("--start", required=True, metavar="ISO",
                          help="start of the window, included (e.g. 2027-01-01T00:00:00Z)")
    backfill.add_argument("--end", required=True, metavar="ISO",
                          help="end of the window, excluded")
    backfill.add_argument("--dry-run", action="store_true",
                          help="list the runs without starting them")
    backfill.add_argument("--max-runs", type=_positive(int), metavar="N",
                          help="at most N runs, the earliest (default 50, at most 500)")
    backfill.set_defaults(run=cmd_backfill)

    one_execution("logs", "an execution's events in time order").set_defaults(run=cmd_logs)
    one_execution("cancel", "stop a running execution").set_defaults(run=cmd_cancel)
    one_execution("resume", "let a paused execution go on",
                  watching).set_defaults(run=cmd_resume)
    retry = one_execution("retry", "run a failed execution's failed tasks again", watching)
    retry.add_argument("--task", metavar="NAME", help="only this failed task")
    retry.set_defaults(run=cmd_retry)
    rerun = one_execution("rerun", "run a finished execution again from a task", watching)
    rerun.add_argument("--from-task", required=True, metavar="NAME")
    rerun.set_defaults(run=cmd_rerun)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="stepwise", description=__doc__.splitlines()[0],
                                   parents=[_remote_options(None)])
    sub = root.add_subparsers(dest="command", required=True)
    remote = _remote_options(argparse.SUPPRESS)

    validate = sub.add_parser("validate", help="check workflow definitions")
    validate.add_argument("files", nargs="+", metavar="FILE", help="YAML file, or - for stdin")
    validate.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    validate.set_defaults(run=cmd_validate)

    compile_ = sub.add_parser("compile", help="print the Amazon States Language document")
    compile_.add_argument("file", metavar="FILE")
    compile_.add_argument("--workflow", help="only this workflow of a multi-workflow file")
    compile_.add_argument("--target-task", action="append",
                          help="reverse workflows: the task(s) to run (default: all sinks)")
    compile_.add_argument("--region", default="us-east-1")
    compile_.add_argument("--account", default="123456789012")
    compile_.add_argument("--pretty", action="store_true", help="indent the JSON")
    compile_.set_defaults(run=cmd_compile)

    graph = sub.add_parser("graph", help="draw the task graph as Mermaid or Graphviz DOT",
                           parents=[remote],
                           description="Draws a definition's task graph, or with --execution "
                                       "the graph of the definition an execution ran, each "
                                       "task coloured by its state.")
    graph.add_argument("file", nargs="?", metavar="FILE", help="YAML file, or - for stdin")
    graph.add_argument("--execution", nargs=2, type=int,
                       metavar=("WORKFLOW_ID", "EXECUTION_ID"))
    graph.add_argument("--workflow", help="this workflow of the file (default: the first)")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.set_defaults(run=cmd_graph)

    local = sub.add_parser("local", help="run the local AWS and the example workflow")
    local.add_argument("--port", type=int, default=8000)
    local.add_argument("--data-dir", default=".local-data")
    local.add_argument("--example", default="examples/hello.yaml")
    local.add_argument("--functions", default=os.environ.get("STEPWISE_FUNCTIONS"),
                       metavar="FILE",
                       help="your Lambda functions: name -> Python handler (YAML or JSON; "
                            "default: $STEPWISE_FUNCTIONS)")
    local.set_defaults(run=cmd_local)

    create_user = sub.add_parser(
        "create-user", help="create a user and its API key directly in DynamoDB (bootstrap)",
        description="Creates a user in the service's tables (AWS credentials, region and "
                    "STEPWISE_TABLE_PREFIX from the environment) and prints its API key once.")
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--username")
    create_user.add_argument("--no-admin", dest="admin", action="store_false",
                             help="a plain user (default: an administrator)")
    create_user.add_argument("--expires-days", type=int, default=365)
    create_user.add_argument("--create-tables", action="store_true",
                             help="create missing tables first (local DynamoDB endpoints)")
    create_user.set_defaults(run=cmd_create_user)

    _add_remote_commands(sub, remote)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, UnicodeDecodeError, SettingsError, ClientError, BadInput) as error:
        print(f"stepwise: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
