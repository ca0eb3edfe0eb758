"""Which sets of transition guards are certainly exclusive (at most one true at a time)."""
from __future__ import annotations

import pytest

from chalicelib.compiler.guards import exclusive


@pytest.mark.parametrize("a, b", [
    ("<% c %>", "<% not c %>"),
    ("<% not c %>", "<% c %>"),
    ("<% $.ready %>", "<% not $.ready %>"),
    ("<% $.ready %>", "<% not ($.ready) %>"),
    ("<% $.x = 1 %>", "<% $.x = 2 %>"),
    ("<% $.x = 'a' %>", "<% $.x = 'b' %>"),
    ('<% $.x = "a" %>', "<% $.x = 'b' %>"),
    ("<% $.x = true %>", "<% $.x = false %>"),
    ("<% $.x = null %>", "<% $.x = 0 %>"),
    ("<% $.x = -1 %>", "<% $.x = 1.5 %>"),
    ("<% $.x <= 3 %>", "<% $.x > 3 %>"),
    ("<% $.x > 3 %>", "<% $.x <= 3 %>"),
    ("<% $.x < 3 %>", "<% $.x >= 3 %>"),
    ("<% $.x >= $.limit %>", "<% $.x < $.limit %>"),
    ("<% $.x = 1 %>", "<% $.x != 1 %>"),
    ("<% $.x != $.y %>", "<% $.x = $.y %>"),
    ("{{ _.x == 1 }}", "{{ _.x == 2 }}"),
    ("{{ _.state == 'ok' }}", "{{ _.state == 'failed' }}"),
    ("{{ _.x == 1 }}", "{{ _.x != 1 }}"),
    ("{{ _.ok }}", "{{ not _.ok }}"),
    ("<% ($.x = 1) %>", "<% ($.x = 2) %>"),
    ("<% (($.x <= 3)) %>", "<% $.x > 3 %>"),
    ("<% (c) %>", "<% not (c) %>"),
    ("<%   $.x   =   1 %>", "<% $.x = 2 %>"),
    ("<% $.x=1 %>", "<% $.x=2 %>"),
])
def test_exclusive_pairs(a, b):
    assert exclusive([a, b]) is True
    assert exclusive([b, a]) is True


@pytest.mark.parametrize("a, b", [
    ("<% a %>", "<% b %>"),
    ("<% c %>", "<% c %>"),
    ("<% not c %>", "<% not c %>"),
    ("<% $.x = 1 %>", "<% $.y = 2 %>"),
    ("<% $.x > 1 %>", "<% $.x < 5 %>"),
    ("<% $.x < 1 %>", "<% $.x > 5 %>"),  # exclusive in fact, but not a shape recognised
    ("<% $.x <= 3 %>", "<% $.x > 4 %>"),
    ("<% $.x >= 3 %>", "<% $.x <= 3 %>"),
    ("<% $.x = 1 %>", "<% $.x = 1 %>"),
    ("<% $.x = 'a' %>", '<% $.x = "a" %>'),
    ("<% $.x = $.a %>", "<% $.x = $.b %>"),
    ("<% $.x = 1 %>", "<% $.x = $.b %>"),
    ("<% $.x != 1 %>", "<% $.x != 2 %>"),
    ("{{ _.x == 1 }}", "{{ _.x == 1 }}"),
    ("{{ _.x == 1 }}", "{{ _.y == 2 }}"),
    ("<% ($.x = 1) or $.z %>", "<% $.x = 2 %>"),
    ("<% (a) and (b) %>", "<% not a %>"),
])
def test_pairs_not_treated_as_exclusive(a, b):
    assert exclusive([a, b]) is False
    assert exclusive([b, a]) is False


def test_three_guards_all_pairwise_exclusive():
    assert exclusive(["<% $.x = 1 %>", "<% $.x = 2 %>", "<% $.x = 3 %>"]) is True


def test_three_guards_with_one_overlapping_pair():
    assert exclusive(["<% $.x = 1 %>", "<% $.x = 2 %>", "<% $.x != 1 %>"]) is False


def test_fewer_than_two_guards_are_trivially_exclusive():
    assert exclusive([]) is True
    assert exclusive(["<% $.x = 1 %>"]) is True


# -- pairs that can both be true -------------------------------------------------------
# Each pair below is true together for some context (checked against the JSONata the
# compiler emits for these guards); treating them as exclusive would compile them to one
# Choice, which starts only the first matching target where Mistral starts both.
@pytest.mark.parametrize("a, b", [
    ("<% $.a or $.y = 2 %>", "<% $.a or $.y = 3 %>"),  # both true when $.a is true
    ("<% $.a or $.x <= 3 %>", "<% $.a or $.x > 3 %>"),
    ("<% not $.a or $.b %>", "<% $.a or $.b %>"),  # `not` binds tighter than `or`
])
def test_or_expressions_are_not_exclusive(a, b):
    assert exclusive([a, b]) is False


@pytest.mark.parametrize("a, b", [
    ("<% $.x = 1 %>", "<% $.x = 1.0 %>"),  # 1 = 1.0 in YAQL, Jinja and JSONata
    ("{{ _.x == True }}", "{{ _.x == true }}"),  # the same boolean in Jinja
])
def test_equal_literals_written_differently_are_not_exclusive(a, b):
    assert exclusive([a, b]) is False
