"""Parsing and checking of YAQL `<% %>` and Jinja `{{ }}` templates."""
from __future__ import annotations

import time

import pytest

from chalicelib.language.expressions import (
    Expression,
    ExpressionError,
    Template,
    ast,
    is_template,
    parse_expression,
    parse_format,
    parse_template,
)

# -- finding templates ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("<% $.x %>", True),
    ("hello {{ _.x }}!", True),
    ("plain text", False),
    ("50% <> 40%", False),
    ("<% no closing", False),          # Mistral treats it as text too
    ("a {{ b", False),
    ("{% if x %}y{% endif %}", True),  # a Jinja statement: recognised, then refused
    ("%> <%", False),
    (42, False),
])
def test_is_template(text, expected):
    assert is_template(text) is expected


def test_parts_and_offsets():
    template = parse_template("hi <% $.name %>, {{ _.n }}!")
    assert isinstance(template, Template)
    assert [p if isinstance(p, str) else p.dialect for p in template.parts] == \
        ["hi ", "yaql", ", ", "jinja", "!"]
    yaql, jinja = template.expressions
    assert (yaql.source, yaql.offset) == (" $.name ", 5)
    assert template.text[yaql.offset:yaql.offset + len(yaql.source)] == yaql.source
    assert (jinja.source, jinja.offset) == (" _.n ", 19)
    assert template.single is None


@pytest.mark.parametrize("text, single", [
    ("<% $.x %>", True),
    ("  <% $.x %>\n", True),
    ("<% $.x %>!", False),
    ("<% $.x %><% $.y %>", False),
    ("{{ _.x }}", True),
])
def test_single(text, single):
    assert (parse_template(text).single is not None) is single


def test_single_gives_the_expression():
    template = parse_template("<% $.x %>")
    assert template.single is template.parts[0]
    assert isinstance(template.single, Expression)


def test_closing_delimiter_inside_strings_and_braces():
    template = parse_template("<% '%>' + $.x %>")
    assert template.single.source == " '%>' + $.x "
    template = parse_template("{{ {'a': {'b': 1}} }}")
    assert isinstance(template.single.node, ast.DictLit)


def test_references():
    template = parse_template(
        "<% task(a).result %> <% task('b').state %> <% task().result %> "
        "<% $.x + $.get('y') + $['z'] %> {{ _.w }} <% execution().id %>")
    assert template.task_refs == frozenset({"a", "b", None})
    assert template.var_refs == frozenset({"x", "y", "z", "w"})
    assert template.uses_execution and not template.uses_env
    assert parse_template("<% env().e %>").uses_env


def test_item_reads_inside_lambdas_are_not_context_reads():
    template = parse_template("<% $.people.where($.age > 3).select($.name) %>")
    assert template.var_refs == frozenset({"people"})
    template = parse_template("<% let(a => $.x) -> $a + $.y %>")
    assert template.var_refs == frozenset({"x", "y"})
    template = parse_template("<% $.x -> $.inner %>")
    assert template.var_refs == frozenset({"x"})


# -- syntax trees -----------------------------------------------------------------------

def test_yaql_precedence():
    node = parse_expression("not $.a = 1 and $.b or $.c").node
    assert isinstance(node, ast.Binary) and node.op == "or"
    assert node.left.op == "and"
    assert isinstance(node.left.left, ast.Unary) and node.left.left.op == "not"
    assert node.left.left.operand.op == "eq"
    node = parse_expression("1 + 2 * 3 mod 4").node
    assert node.op == "add" and node.right.op == "mod" and node.right.left.op == "mul"
    node = parse_expression("not $.path in list(a, b)").node
    assert node.op == "not" and node.operand.op == "in"


def test_yaql_bare_names_are_strings_and_calls_both_styles():
    node = parse_expression("$.get(attribute_17)").node
    assert isinstance(node, ast.Call) and node.style == "method"
    assert node.args[1] == ast.Literal(6, "attribute_17")
    node = parse_expression("len($.x)").node
    assert node.style == "function" and node.name == "len"
    node = parse_expression("'{0}'.format($.x)").node
    assert node.style == "method" and node.args[0] == ast.Literal(0, "{0}")


def test_yaql_dicts_and_let():
    node = parse_expression("{a => 1, 'b' => $.x}").node
    assert isinstance(node, ast.DictLit)
    assert [k.value for k, _ in node.items] == ["a", "b"]
    node = parse_expression("let(x => 1) -> $x").node
    assert isinstance(node, ast.Arrow) and node.left.name == "let"


def test_yaql_strings():
    assert parse_expression(r"'a\nb'").node.value == "a\nb"
    assert parse_expression(r"'(\d+)'").node.value == r"(\d+)"  # unknown escapes stay
    assert parse_expression('"it\'s"').node.value == "it's"
    assert parse_expression("1.5").node.value == 1.5
    assert parse_expression("true").node.value is True
    assert parse_expression("null").node.value is None


def test_jinja_syntax():
    node = parse_expression("_.x | default('a') | upper", "jinja").node
    assert node.style == "filter" and node.name == "upper"
    assert node.args[0].name == "default"
    node = parse_expression("_.x is not none", "jinja").node
    assert isinstance(node, ast.Test) and node.negated and node.name == "none"
    node = parse_expression("1 if _.c else 2", "jinja").node
    assert isinstance(node, ast.Conditional)
    node = parse_expression("not _.path in ['a', 'b']", "jinja").node
    assert node.op == "not" and node.operand.op == "in"
    node = parse_expression("_.a not in _.b", "jinja").node
    assert node.op == "not in"
    node = parse_expression("task('t1').result.stdout", "jinja").node
    assert isinstance(node, ast.Attribute) and node.target.target.name == "task"
    assert parse_expression("None", "jinja").node.value is None
    with pytest.raises(ExpressionError, match="does not take the argument 'd'"):
        parse_expression("_.l | join(d=', ')", "jinja")


def test_jinja_chained_comparison():
    node = parse_expression("1 < _.x < 3", "jinja").node
    assert node.op == "and" and node.left.op == "lt" and node.right.op == "lt"


def test_format_patterns():
    assert parse_format("{0} of {1}", 0, 2) == [0, " of ", 1]
    assert parse_format("{} and {}", 0, 2) == [0, " and ", 1]
    assert parse_format("{{x}} {0}", 0, 1) == ["{x} ", 0]


# -- errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, offset, fragment", [
    ("<% $.x + %>", 9, "expected a value"),
    ("<% foo(1) %>", 3, "unknown function 'foo'; supported: "),
    ("hello <% $.x", 6, "unterminated '<%'"),
    ("<% $.x ) %>", 7, "unexpected ')'"),
    ("<% 'abc %>", 3, "unterminated string"),
    ("ab <% $y %>", 6, "variable '$y' is not defined"),
    ("a {% if x %}b{% endif %}", 2, "Jinja statements"),
    ("{{ _.x | nofilter }}", 9, "unknown filter 'nofilter'"),
    ("{{ x }}", 3, "unknown name 'x'"),
    ("{{ _.x is weird }}", 10, "unknown test 'weird'"),
    ("<% $.x.len(1) %>", 7, "takes 0 arguments, 1 given"),
    ("<% task($.x) %>", 8, "task() takes a task name"),
    ("<% '{0} {1}'.format($.a) %>", 3, "argument 1 but only 1"),
    ("<% $.a.format(1) %>", 3, "literal format string"),
    ("<% let(x => 1) %>", 3, "must be followed by '-> expression'"),
    ("<% dict(1) %>", 8, "key => value"),
    ("<% $.s.matches('(') %>", 15, "invalid regular expression"),
    ("<% %>", 3, "empty expression"),
    ("x <% $.a # %>", 9, "unexpected character '#'"),
    ("{{ _.l[1:2] }}", 8, "slices are not supported"),
    ("<% [1 2] %>", 6, "expected ',' or ']'"),
    ("<% $1 %>", 3, "positional variable"),
    ("{{ $.x }}", 3, "read variables as _.name"),
    ("<% $.x == 1 %>", 7, "YAQL compares with '='"),
    ("<% $.x.where($.a => 1) %>", 13, "only accepted by dict() and let()"),
    ("{{ _.l | map('upper') }}", 13, "map(attribute='name')"),
    ("<% $.now() %>", 5, "cannot be called as a method"),
])
def test_errors_carry_offsets(text, offset, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse_template(text)
    assert fragment in caught.value.message
    assert caught.value.offset == offset
    assert str(caught.value) == caught.value.message


def test_parse_expression_offsets_index_the_source():
    with pytest.raises(ExpressionError) as caught:
        parse_expression("$.a + nope()")
    assert caught.value.offset == 6
    with pytest.raises(ExpressionError) as caught:
        parse_expression("_.a |", "jinja")
    assert caught.value.offset == 5


def test_unknown_function_message_lists_supported_names():
    with pytest.raises(ExpressionError) as caught:
        parse_template("<% frobnicate() %>")
    message = caught.value.message
    assert "len" in message and "where" in message and "format" in message


def test_deeply_nested_input_fails_cleanly():
    for text in ("<% " + "(" * 500 + "1" + ")" * 500 + " %>",
                 "<% " + "not " * 500 + "true %>",
                 "<% " + "-" * 500 + "1 %>",
                 "{{ " + "[" * 500 + " }}"):
        with pytest.raises(ExpressionError) as caught:
            parse_template(text)
        assert "nested too deeply" in caught.value.message


def test_pathological_inputs_stay_linear():
    """Inputs that would make a backtracking scanner or a quadratic search crawl."""
    started = time.perf_counter()
    assert not is_template("{{ " * 20000)
    assert parse_template("{{ " * 20000).parts == ("{{ " * 20000,)
    for text in ("<%" * 20000, "{{" * 20000 + "}}", "<% '" + "\\'" * 20000 + " %>"):
        with pytest.raises(ExpressionError):
            parse_template(text)
    parse_template("x" * 100000 + "<% $.a %>" + "y" * 100000)
    assert time.perf_counter() - started < 10  # generous: only catches blow-ups
