"""Concurrent requests of different users on the served app each see their own caller."""
from __future__ import annotations

import concurrent.futures
import json
import urllib.request

from tests.compat.conftest import add_user


def test_each_concurrent_request_is_answered_for_its_own_key(served, civis_for, admin):
    bob = add_user(civis_for(admin.token), "bob")
    keys = {admin.id: admin.token, bob.id: bob.token}

    def me(user_id: int) -> tuple[int, int]:
        request = urllib.request.Request(f"{served.url}/users/me", headers={
            "Authorization": f"Bearer {keys[user_id]}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return user_id, json.loads(response.read())["id"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(me, [admin.id, bob.id] * 60))
    assert len(answers) == 120
    assert all(asked == answered for asked, answered in answers)
