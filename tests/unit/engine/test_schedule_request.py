from __future__ import annotations

from chalicelib import config
from chalicelib.engine import schedules


def test_schedule_target_has_the_dead_letter_queue_when_configured(monkeypatch) -> None:
    monkeypatch.delenv("STEPWISE_SCHEDULER_DLQ_ARN", raising=False)
    assert "DeadLetterConfig" not in schedules._request(7, "cron(0 9 * * ? *)", "UTC")["Target"]
    queue = "arn:aws:sqs:us-east-1:123456789012:stepwise-schedules-dlq"
    monkeypatch.setenv("STEPWISE_SCHEDULER_DLQ_ARN", queue)
    target = schedules._request(7, "cron(0 9 * * ? *)", "UTC")["Target"]
    assert target["DeadLetterConfig"] == {"Arn": queue}
    assert target["Arn"].endswith(f":function:{config.resolve_scheduled_run_function()}")
