"""Schedules: EventBridge Scheduler expressions (`expressions`) and Civis schedules mapped onto
them (`civis`). Pure computation: no AWS calls."""
