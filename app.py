"""Chalice application: HTTP routes and event handlers, each thin (parse → service → render).

Routes live in blueprints under `chalicelib/api/`, one per surface.
"""
from chalice import Chalice, Rate

from chalicelib.api import accounts, executions, meta, notifications, workflows
from chalicelib.service import executions as execution_service
from chalicelib.service import notifications as notification_service

app = Chalice(app_name="stepwise")
app.register_blueprint(workflows.bp)
app.register_blueprint(executions.bp)
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
    the notifications due again."""
    execution_service.reconcile()
    notification_service.sweep()
