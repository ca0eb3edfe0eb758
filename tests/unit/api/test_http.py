"""Path and query parameters as the routes read them."""
from __future__ import annotations

import pytest

from chalicelib.api.http import ApiRequest, int_param, query_flag, query_int
from chalicelib.errors import BadRequest, NotFound


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("007", 7),
                                                 ("9" * 18, int("9" * 18))])
def test_int_param_reads_ascii_digits(value, expected):
    assert int_param(value) == expected


@pytest.mark.parametrize("value", ["", "abc", "-1", "+1", "1.5", "1e3", " 1", "1 ", "1_0",
                                   "\u00b2", "\u0661", "\uff11", "1" * 19])
def test_int_param_names_nothing_otherwise(value):
    with pytest.raises(NotFound) as raised:
        int_param(value, "user")
    assert raised.value.message == "The requested user could not be found."


def request(**query: list[str]) -> ApiRequest:
    return ApiRequest(body={}, query=query)


def test_getlist_joins_plain_and_bracketed_names():
    got = request(**{"state": ["idle"], "state[]": ["running", "failed"]})
    assert got.getlist("state") == ["idle", "running", "failed"]
    assert got.get("state") == "failed"
    assert request().getlist("state") == [] and request().get("state") is None


@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("True", True), ("TRUE", True), ("1", True), ("false", False),
    ("False", False), ("0", False), ("", None)])
def test_query_flag(value, expected):
    assert query_flag(request(hidden=[value]), "hidden") is expected
    assert query_flag(request(), "hidden") is None


@pytest.mark.parametrize("value", ["yes", "no", "t", "2", "none"])
def test_query_flag_rejects(value):
    with pytest.raises(BadRequest, match="'hidden' must be true or false"):
        query_flag(request(hidden=[value]), "hidden")


def test_query_int():
    assert query_int(request(), "limit", 20, 1, 50) == 20
    assert query_int(request(limit=[""]), "limit", 20, 1, 50) == 20
    assert query_int(request(limit=["1"]), "limit", 20, 1, 50) == 1
    assert query_int(request(limit=["50"]), "limit", 20, 1, 50) == 50
    for value, fragment in (("0", "between 1 and 50"), ("51", "between 1 and 50"),
                            ("x", "must be an integer"), ("2.0", "must be an integer"),
                            ("1_0", "must be an integer"), (" 5", "must be an integer"),
                            ("\u0665", "must be an integer"), ("-3", "between 1 and 50")):
        with pytest.raises(BadRequest, match=fragment):
            query_int(request(limit=[value]), "limit", 20, 1, 50)
