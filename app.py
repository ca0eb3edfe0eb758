"""Chalice application: HTTP routes and event handlers, each thin (parse → service → render)."""
from chalice import Chalice

app = Chalice(app_name="stepwise")


@app.route("/ping")
def ping() -> dict:
    return {"status": "ok"}
