"""`stepwise create-user`: the first administrator and its key, straight into DynamoDB."""
import json

from chalicelib.service.auth import authenticate
from stepwise.cli import main


def test_create_user_prints_a_working_admin_key(tables, api, capsys):
    assert main(["create-user", "--name", "Grace Hopper", "--email", "grace@example.com"]) == 0
    printed = json.loads(capsys.readouterr().out)
    caller = authenticate(f"Bearer {printed['api_key']}")
    assert (caller.id, caller.username, caller.admin) == (printed["user_id"], "grace", True)
    me = api.get("/users/me", printed["api_key"])
    assert me.status == 200 and me.body["email"] == "grace@example.com"
    assert api.post("/users", printed["api_key"],
                    {"name": "New Person", "email": "new@example.com"}).status == 201


def test_create_user_refuses_a_taken_username(tables, capsys):
    assert main(["create-user", "--name", "A", "--email", "same@example.com"]) == 0
    capsys.readouterr()
    assert main(["create-user", "--name", "B", "--email", "same@example.com",
                 "--no-admin"]) == 2
    assert "already taken" in capsys.readouterr().err


def test_plain_users_are_not_admins(tables, capsys):
    assert main(["create-user", "--name", "P", "--email", "p@example.com", "--no-admin"]) == 0
    assert not authenticate(f"Bearer {json.loads(capsys.readouterr().out)['api_key']}").admin
