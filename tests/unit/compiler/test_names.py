"""State names from `Namer`: unique, at most 80 characters, roles remembered."""
from __future__ import annotations

import hashlib

import pytest

from chalicelib.compiler.names import MAX_LENGTH, Namer


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def test_plain_task_name_is_kept_and_its_role_recorded():
    namer = Namer()
    assert namer.new("fetch") == "fetch"
    assert namer.roles == {"fetch": ("fetch", "task")}


def test_a_role_other_than_task_is_a_dotted_suffix():
    namer = Namer()
    assert namer.new("fetch", "error") == "fetch.error"
    assert namer.new("fetch", "retry_wait") == "fetch.retry_wait"
    assert namer.roles == {"fetch.error": ("fetch", "error"),
                           "fetch.retry_wait": ("fetch", "retry_wait")}


def test_duplicates_are_numbered_from_two():
    namer = Namer()
    assert [namer.new("a") for _ in range(4)] == ["a", "a [2]", "a [3]", "a [4]"]
    assert [namer.new("a", "error") for _ in range(3)] == ["a.error", "a.error [2]",
                                                          "a.error [3]"]
    assert namer.roles["a [3]"] == ("a", "task")
    assert namer.roles["a.error [2]"] == ("a", "error")
    assert len(namer.roles) == 7


def test_task_named_like_a_role_suffix_does_not_collide():
    namer = Namer()
    role_name = namer.new("a", "error")
    task_name = namer.new("a.error")
    assert (role_name, task_name) == ("a.error", "a.error [2]")
    assert namer.roles == {"a.error": ("a", "error"), "a.error [2]": ("a.error", "task")}


def test_task_named_like_a_role_suffix_first_pushes_the_role_name():
    namer = Namer()
    assert namer.new("a.error") == "a.error"
    assert namer.new("a", "error") == "a.error [2]"
    assert namer.roles["a.error"] == ("a.error", "task")
    assert namer.roles["a.error [2]"] == ("a", "error")


def test_task_named_like_a_numbered_duplicate_does_not_collide():
    namer = Namer()
    assert namer.new("a [2]") == "a [2]"
    assert namer.new("a") == "a"
    assert namer.new("a") == "a [3]"
    assert namer.new("a") == "a [4]"
    assert set(namer.roles) == {"a [2]", "a", "a [3]", "a [4]"}


def test_control_characters_become_underscores_and_roles_keep_the_original():
    namer = Namer()
    assert namer.new("line\none") == "line_one"
    assert namer.new("tab\there", "error") == "tab_here.error"
    assert namer.new("nul\x00del\x7f") == "nul_del_"
    assert namer.roles["line_one"] == ("line\none", "task")
    assert namer.roles["tab_here.error"] == ("tab\there", "error")


def test_sanitised_names_that_meet_stay_unique():
    namer = Namer()
    assert namer.new("a\nb") == "a_b"
    assert namer.new("a_b") == "a_b [2]"
    assert namer.new("a\tb") == "a_b [3]"
    assert namer.roles == {"a_b": ("a\nb", "task"), "a_b [2]": ("a_b", "task"),
                           "a_b [3]": ("a\tb", "task")}


def test_name_of_exactly_80_characters_is_kept():
    namer = Namer()
    name = "x" * 80
    assert namer.new(name) == name
    # with a suffix it no longer fits and is shortened
    shortened = namer.new(name, "error")
    assert shortened == "x" * 65 + "~" + _digest(name) + ".error"
    assert len(shortened) == MAX_LENGTH


def test_very_long_name_is_cut_with_a_digest():
    namer = Namer()
    name = "step-" * 100
    expected = name[:71] + "~" + _digest(name)
    assert namer.new(name) == expected
    assert len(expected) == 80
    assert namer.new(name, "error") == name[:65] + "~" + _digest(name) + ".error"
    assert namer.new(name) == name[:67] + "~" + _digest(name) + " [2]"
    assert all(len(n) == 80 for n in namer.roles)
    assert namer.roles[expected] == (name, "task")


def test_long_names_differing_only_after_the_cut_stay_distinct():
    namer = Namer()
    first = namer.new("p" * 100 + "one")
    second = namer.new("p" * 100 + "two")
    assert first != second
    assert first[:72] == second[:72] == "p" * 71 + "~"
    assert len(first) == len(second) == 80


def test_unicode_names_count_characters_not_bytes():
    namer = Namer()
    accented = "é" * 80  # 160 bytes in UTF-8 but 80 characters: kept
    assert namer.new(accented) == accented
    long_cjk = "工作流" * 40  # 120 characters
    name = namer.new(long_cjk, "join")
    assert name == long_cjk[:66] + "~" + _digest(long_cjk) + ".join"
    assert len(name) == 80
    emoji = "🚀" * 200
    assert len(namer.new(emoji)) == 80
    assert len(namer.new(emoji)) == 80  # its duplicate too


@pytest.mark.parametrize("role", ["task", "error", "retry", "retry_wait", "join",
                                  "succeed_command", "expression_failed", "pause_before"])
def test_every_name_is_at_most_80_characters_and_unique(role):
    namer = Namer()
    tasks = ["", "a", "a.error", "a" * 79, "a" * 80, "a" * 81, "ü" * 300, "\x01" * 90,
             "x" * 74 + ".error"]
    names = [namer.new(task, role) for task in tasks for _ in range(12)]
    assert all(len(n) <= MAX_LENGTH for n in names)
    assert len(set(names)) == len(names) == len(namer.roles)
    assert all(namer.roles[n][1] == role for n in names)


def test_separate_namers_do_not_share_state():
    assert Namer().new("a") == "a"
    assert Namer().new("a") == "a"
