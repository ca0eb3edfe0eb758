"""Chalice application: HTTP routes and event handlers, each thin (parse → service → render).

Routes live in blueprints under `chalicelib/api/`, one per surface.
"""
from chalice import Chalice

from chalicelib.api import accounts, meta, workflows

app = Chalice(app_name="stepwise")
app.register_blueprint(workflows.bp)
app.register_blueprint(accounts.bp)
app.register_blueprint(meta.bp)
