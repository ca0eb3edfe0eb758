"""Chalice application: HTTP routes and event handlers, each thin (parse → service → render).

Routes live in blueprints under `chalicelib/api/`, one per surface.
"""
from chalice import Chalice, Rate

from chalicelib.api import accounts, executions, meta, notifications, schedules, workflows
from chalicelib.service import executions as execution_service
from chalicelib.service import notifications as notification_service
from chalicelib.service import scheduled_runs

app = Chalice(app_name="stepwise")
app.register_blueprint(workflows.bp)
app.register_blueprint(executions.bp)
app.register_blueprint(schedules.bp)
app.register_blueprint(accounts.bp)
app.register_blueprint(meta.bp)
app.register_blueprint(notifications.bp)

STATUS_CHANGE = {"source": ["aws.states"],
                 "detail-type": ["Step Functions Execution Status Change"]}


@app.on_cw_event(STATUS_CHANGE, name="on_execution_event")
def on_execution_event(event) -> None:
    """Step Functions status changes → execution and workflow state in DynamoDB."""
    execution_service.record_status(event.detail)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="sweeper")
def sweeper(event) -> None:
    """Settles executions whose final status event never arrived; sends stall warnings and
    the notifications due again; starts queued backfill runs of workflows that became free."""
    execution_service.reconcile()
    notification_service.sweep()
    scheduled_runs.start_pending()


@app.lambda_function(name="scheduled_run")
def scheduled_run(event, context) -> dict:
    """One firing of a workflow's EventBridge Scheduler schedule:
    ``{"workflow_id": ID, "scheduled_time": "2027-01-04T15:00:00Z"}``."""
    run = scheduled_runs.run_scheduled(int(event["workflow_id"]), event["scheduled_time"])
    return {"state": None if run is None else run.state,
            "execution_id": None if run is None or run.execution_id is None
            else int(run.execution_id)}
