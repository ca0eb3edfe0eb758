"""`stepwise` command line: validate, compile, local, create-user.

Exit codes (scripts depend on them): 0 success; 1 the definition is invalid (each problem on
stderr as ``FILE:LINE:COLUMN: message``); 2 usage errors or unreadable files.
"""
from __future__ import annotations

import argparse
import json
import sys

from chalicelib.errors import InvalidDefinition

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


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
        print(f"{args.file}: no workflow named {unknown[0]!r}; "
              f"choose one of {', '.join(document.workflows)}", file=sys.stderr)
        return EXIT_USAGE
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
    return serve(port=args.port, data_dir=args.data_dir, example=args.example)


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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="stepwise", description=__doc__.splitlines()[0])
    sub = root.add_subparsers(dest="command", required=True)

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

    local = sub.add_parser("local", help="run the local AWS and the example workflow")
    local.add_argument("--port", type=int, default=8000)
    local.add_argument("--data-dir", default=".local-data")
    local.add_argument("--example", default="examples/hello.yaml")
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
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (OSError, UnicodeDecodeError) as error:
        print(f"stepwise: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
