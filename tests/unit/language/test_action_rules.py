"""Action rules: Civis actions, std actions, aws.lambda, ad-hoc actions and sub-workflows."""

from __future__ import annotations

from chalicelib.language import check, load

from ._helpers import assert_problems, doc, wrap_tasks


def test_civis_run_job_takes_only_job_id():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: civis.run_job
              input:
                job_id: <% $.jid %>
                arguments: {x: 1}
            b:
              action: civis.run_job
              input: {}
            c:
              action: civis.run_job
            """
        ),
        [
            (8, 9, "civis.run_job takes no input 'arguments'", "wf.tasks.a.input.arguments"),
            (11, 14, "civis.run_job needs input 'job_id'", "wf.tasks.b.input"),
        ],
    )


def test_civis_script_actions():
    assert_problems(
        wrap_tasks(
            """
            sql:
              action: civis.scripts.sql
              input:
                sql: select 1
                remote_host_id: 1
            py:
              action: civis.scripts.python3
              input: {source: "print(1)", name: x, docker_image_tag: latest, params: [], sourc: 1}
            wf:
              action: civis.workflows.execute workflow_id=3
            imp:
              action: civis.import
              input:
                sync_type: Dbsync
                is_outbound: false
                syncs:
                  - {source: {}, destination: {}, advanced_options: {}}
                  - {source: {}}
            """
        ),
        [
            (7, 9, "civis.scripts.sql needs input 'credential_id'", "wf.tasks.sql.input"),
            (11, 82, "civis.scripts.python3 takes no input 'sourc'", "wf.tasks.py.input.sourc"),
            (21, 13, "civis.import sync needs input 'destination'", "wf.tasks.imp.input.syncs.1"),
        ],
    )


def test_unknown_civis_and_std_actions():
    found = check(
        wrap_tasks(
            """
        a:
          action: civis.run_jobs
        b:
          action: std.ech output=1
        c:
          action: nova.servers_list
        """
        )
    )
    assert [(p.line, p.column, p.message, p.path, p.fix) for p in found] == [
        (
            5,
            15,
            "unknown Civis action civis.run_jobs",
            "wf.tasks.a.action",
            "did you mean 'civis.run_job'?",
        ),
        (7, 15, "unknown standard action std.ech", "wf.tasks.b.action", "did you mean 'std.echo'?"),
    ]


def test_std_action_inputs():
    assert_problems(
        wrap_tasks(
            """
            http:
              action: std.http method=GET
            echo:
              action: std.echo output=1 extra=2
            sleep:
              action: std.sleep
            noop:
              input: {x: 1}
            ssh:
              action: std.ssh cmd=ls host=h anything=1
            """
        ),
        [
            (5, 15, "std.http needs input 'url'", "wf.tasks.http.input"),
            (7, 33, "std.echo takes no input 'extra'", "wf.tasks.echo.input.extra"),
            (9, 15, "std.sleep needs input 'seconds'", "wf.tasks.sleep.input"),
            (11, 14, "a task without action or workflow runs std.noop", "wf.tasks.noop.input"),
        ],
    )


def test_aws_lambda_needs_a_function_name():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: aws.lambda
              input: {payload: {}}
            b:
              action: aws.lambda function_name=f
            """
        ),
        [(6, 14, "aws.lambda needs input 'function_name'", "wf.tasks.a.input")],
    )


def test_task_defaults_action_input_is_checked_on_each_task():
    assert_problems(
        wrap_tasks(
            """
            a:
              input: {job_id: 1}
            b:
              input: {job: 1}
            """,
            header="""
            task-defaults:
              action: civis.run_job
            """,
        ),
        [
            (9, 14, "civis.run_job needs input 'job_id'", "wf.tasks.b.input"),
            (9, 15, "civis.run_job takes no input 'job'", "wf.tasks.b.input.job"),
        ],
    )


def test_unknown_sub_workflow():
    assert_problems(
        """
        version: '2.0'
        main:
          tasks:
            a:
              workflow: sbu
            b:
              workflow: other_book.some_workflow
        sub:
          tasks: {s: {}}
        """,
        [(5, 17, "unknown workflow 'sbu'", "main.tasks.a.workflow")],
    )


def test_adhoc_actions():
    assert_problems(
        """
        version: '2.0'
        name: wb
        actions:
          greet:
            base: std.echo output=<% $.who %>
            input: [who]
          loop1:
            base: loop2
          loop2:
            base: wb.loop1
          bad_base:
            base: std.sleep
            base-input: {secs: 1}
          nobase:
            input: [x]
        workflows:
          main:
            tasks:
              a:
                action: greet who=me whom=you
              b:
                action: wb.greet
                input: {who: x}
        """,
        [
            (8, 11, "ad-hoc actions loop1 → loop2 → loop1 form a cycle", "actions.loop1.base"),
            (10, 11, "ad-hoc actions loop2 → loop1 → loop2 form a cycle", "actions.loop2.base"),
            (13, 17, "std.sleep needs input 'seconds'", "actions.bad_base.base-input"),
            (13, 18, "std.sleep takes no input 'secs'", "actions.bad_base.base-input.secs"),
            (14, 3, "ad-hoc action 'nobase' has no base", "actions.nobase"),
            (
                20,
                30,
                "ad-hoc action greet has no input 'whom'",
                "workflows.main.tasks.a.input.whom",
            ),
        ],
    )


def test_adhoc_and_workflow_names_resolve_to_short_names():
    document = load(
        doc(
            """
        version: '2.0'
        name: wb
        actions:
          greet:
            base: std.echo
            base-input: {output: <% $.who %>}
            input: [{who: world}]
            output: <% $ %>
          greet_loud:
            base: wb.greet who=WORLD
        workflows:
          main:
            tasks:
              a:
                action: wb.greet_loud
                on-success: [b]
              b:
                workflow: wb.sub
          sub:
            tasks: {s: {}}
        """
        )
    )
    tasks = document.main.tasks
    assert (tasks["a"].action, tasks["b"].workflow) == ("greet_loud", "sub")
    assert document.actions["greet_loud"].base == "greet"
    assert document.actions["greet_loud"].base_input == {"who": "WORLD"}
    assert document.actions["greet"].input == (("who", "world", True),)
    assert document.actions["greet"].has_output and document.actions["greet"].output == "<% $ %>"
    assert document.name == "wb" and list(document.workflows) == ["main", "sub"]
