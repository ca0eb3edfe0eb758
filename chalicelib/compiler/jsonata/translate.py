"""Translation of checked expression trees to JSONata text.

Takes: a `Scope` (how context, tasks, execution(), env() and with-items names are reached
in the state being compiled) and templates, expressions or YAML values.
Gives: `Translator`, which turns nodes into `Js` pieces (JSONata text plus the static kind
of its value when known) and collects the run-time helpers they call; `finish` wraps a
piece into one self-contained JSONata expression.

Conventions of the generated text: every piece is "atomic" (a literal, a call, a variable,
a path or a parenthesised expression), so pieces compose without precedence surprises; the
YAQL `$` / Jinja `_` never maps to JSONata's implicit context but to an explicit variable
or to `scope.ctx`; nothing evaluates to JSONata's "undefined" where Mistral has a value.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from chalicelib.language.expressions import ast
from chalicelib.language.expressions.check import is_context_read, resolve
from chalicelib.language.expressions.errors import ExpressionError
from chalicelib.language.expressions.functions import parse_format
from chalicelib.language.expressions.template import Expression, Template

from .runtime import prelude


def _default_task(name: str | None) -> str:
    if name is None:
        return "$states.input.task"
    return _member("$states.input.tasks", name)


@dataclass(frozen=True)
class Scope:
    """How Mistral names map to JSONata in the state being compiled.

    `ctx` evaluates to the context object (workflow input + vars + published values);
    `task(name)` gives the JSONata for task(name)'s object (`None` = task(), the current
    task) with keys "result", "state", "state_info", "published"; `execution` evaluates to
    {"id", "name", "input", "created_at", "params"}; `env` to the env dict; `locals` maps
    names bound by with-items to JSONata, looked up before `ctx` for $.x / _.x. Generated
    code names its own variables `$_...` and `$__...`: these strings must not use them.
    """

    ctx: str = "$states.input.ctx"
    task: Callable[[str | None], str] = _default_task
    execution: str = "$states.input.execution"
    env: str = "$states.input.env"
    locals: Mapping[str, str] = field(default_factory=dict)


class Js(NamedTuple):
    """A piece of JSONata: its text and the static kind of its value ("str", "int",
    "float", "num", "bool", "null", "list", "dict") or None when only known at run time."""

    text: str
    kind: str | None = None


_NUMERIC = frozenset({"int", "float", "num"})
_SCALAR = frozenset({"str", "int", "float", "num", "bool", "null", "dict"})
_SIMPLE_PATH = re.compile(r"\$?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})
_MAX_INT = "9007199254740991"


@dataclass(frozen=True)
class _Env:
    current: str | None                 # JSONata for `$`; None at the root (the context)
    variables: Mapping[str, str]        # let-bound names → JSONata variables


class Translator:
    """Translates expressions of one state field; collects the helpers they need."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.helpers: set[str] = set()
        self.temps = 0
        self.dialect = "yaql"

    # -- entry points ---------------------------------------------------------------

    def finish(self, piece: Js) -> str:
        """One JSONata expression: the piece, preceded by the helpers it calls."""
        if not self.helpers:
            return piece.text
        return f"({prelude(self.helpers)}{piece.text})"

    def template(self, template: Template) -> Js:
        single = template.single
        if single is not None:
            return self.expression(single)
        pieces = []
        for part in template.parts:
            if isinstance(part, str):
                pieces.append(_string(part))
            else:
                pieces.append(self.stringify(self.expression(part)).text)
        if len(pieces) == 1:
            return Js(pieces[0], "str")
        return Js("(" + " & ".join(pieces) + ")", "str")

    def expression(self, expression: Expression) -> Js:
        self.dialect = expression.dialect
        return self.node(expression.node, _Env(None, {}))

    def value(self, value: Any) -> Js:
        """A YAML value whose strings may be templates → JSONata building that value."""
        from chalicelib.language.expressions import is_template, parse_template

        if isinstance(value, str):
            return self.template(parse_template(value)) if is_template(value) else \
                Js(_string(value), "str")
        if isinstance(value, Mapping):
            entries = [f"{_string(str(k))}:{self.value(v).text}" for k, v in value.items()]
            return Js("{" + ",".join(entries) + "}", "dict")
        if isinstance(value, (list, tuple)):
            return self.list([self.value(v) for v in value])
        return _constant(value)

    # -- building blocks -------------------------------------------------------------

    def helper(self, name: str, *args: str) -> str:
        self.helpers.add(name)
        return f"$_{name}({','.join(args)})"

    def temp(self) -> str:
        self.temps += 1
        return f"$_{self.temps}"

    def stringify(self, piece: Js) -> Js:
        """Python str() of the value."""
        return piece if piece.kind == "str" else Js(self.helper("str", piece.text), "str")

    def truthy(self, piece: Js) -> str:
        return piece.text if piece.kind == "bool" else self.helper("truthy", piece.text)

    def list(self, items: list[Js]) -> Js:
        """A list of exactly these items (a list item stays one nested item)."""
        segments: list[str] = []
        run: list[str] = []
        for item in items:
            if item.kind in _SCALAR:
                run.append(item.text)
                continue
            if run:
                segments.append("[" + ",".join(run) + "]")
                run = []
            segments.append(self.helper("wrap", item.text))
        if run or not segments:
            segments.append("[" + ",".join(run) + "]")
        text = segments[0]
        for segment in segments[1:]:
            text = f"$append({text},{segment})"
        return Js(text, "list")

    def lambda_(self, node: ast.Node, env: _Env) -> str:
        name = self.temp()
        body = self.node(node, _Env(name, env.variables))
        return f"function({name}){{{body.text}}}"

    def root(self) -> str:
        ctx = _atom(self.scope.ctx)
        if not self.scope.locals:
            return ctx
        extra = ",".join(f"{_string(k)}:{v}" for k, v in self.scope.locals.items())
        return f"$merge([{ctx},{{{extra}}}])"

    def read_variable(self, name: str) -> Js:
        """$.name at the root: a with-items name, else a context variable that must exist."""
        if name in self.scope.locals:
            return Js(_atom(self.scope.locals[name]))
        path = _member(_atom(self.scope.ctx), name)
        message = _string(f"variable '{name}' is not defined")
        return Js(f"($exists({path})?{path}:$error({message}))")

    def get_variable(self, key: Js, default: Js) -> Js:
        """$.get(key, default) at the root: no error for a missing variable."""
        if key.kind == "str" and key.text.startswith('"'):
            name = json.loads(key.text)
            if name in self.scope.locals:
                return Js(_atom(self.scope.locals[name]))
            path = _member(_atom(self.scope.ctx), name)
            return Js(f"($exists({path})?{path}:{default.text})")
        return Js(self.helper("get", self.root(), key.text, default.text))

    # -- nodes -----------------------------------------------------------------------

    def node(self, node: ast.Node, env: _Env) -> Js:
        name = is_context_read(node, env.current is None)
        if name is not None:
            return self.read_variable(name)
        method = getattr(self, "_" + type(node).__name__)
        return method(node, env)

    def _Literal(self, node: ast.Literal, env: _Env) -> Js:
        return _constant(node.value)

    def _ListLit(self, node: ast.ListLit, env: _Env) -> Js:
        return self.list([self.node(item, env) for item in node.items])

    def _DictLit(self, node: ast.DictLit, env: _Env) -> Js:
        return self._object(node.items, env)

    def _object(self, items, env: _Env) -> Js:
        entries: dict[str, str] = {}
        for key, value in items:
            k = self.node(key, env)
            key_text = k.text if k.kind == "str" else self.stringify(k).text
            entries[key_text] = self.node(value, env).text  # a repeated key: the last wins
        return Js("{" + ",".join(f"{k}:{v}" for k, v in entries.items()) + "}", "dict")

    def _Current(self, node: ast.Current, env: _Env) -> Js:
        return Js(env.current if env.current is not None else self.root())

    def _Variable(self, node: ast.Variable, env: _Env) -> Js:
        return Js(env.variables[node.name])

    def _Attribute(self, node: ast.Attribute, env: _Env) -> Js:
        target = self.node(node.target, env)
        return Js(self.helper("attr", target.text, _string(node.name)))

    def _Index(self, node: ast.Index, env: _Env) -> Js:
        target = self.node(node.target, env)
        return Js(self.helper("index", target.text, self.node(node.index, env).text))

    def _Unary(self, node: ast.Unary, env: _Env) -> Js:
        operand = self.node(node.operand, env)
        if node.op == "not":
            return Js(f"$not({self.truthy(operand)})", "bool")
        if node.op == "neg":
            kind = operand.kind if operand.kind in _NUMERIC else None
            return Js(f"(-{operand.text})", kind)
        return operand

    def _Conditional(self, node: ast.Conditional, env: _Env) -> Js:
        test = self.truthy(self.node(node.test, env))
        then = self.node(node.then, env)
        other = self.node(node.otherwise, env) if node.otherwise is not None else Js("null")
        kind = then.kind if then.kind == other.kind else None
        return Js(f"({test}?{then.text}:{other.text})", kind)

    def _Arrow(self, node: ast.Arrow, env: _Env) -> Js:
        left = node.left
        if isinstance(left, ast.Call) and left.name == "let" and left.style == "function":
            variables = dict(env.variables)
            bindings = []
            for pair in left.args:
                assert isinstance(pair, ast.Pair) and isinstance(pair.key, ast.Literal)
                value = self.node(pair.value, env)
                variable = f"$__{pair.key.value}"
                bindings.append(f"{variable}:={value.text};")
                variables[str(pair.key.value)] = variable
            body = self.node(node.right, _Env(env.current, variables))
            return Js("(" + "".join(bindings) + body.text + ")", body.kind)
        value = self.node(left, env)
        name = self.temp()
        body = self.node(node.right, _Env(name, env.variables))
        return Js(f"({name}:={value.text};{body.text})", body.kind)

    def _Test(self, node: ast.Test, env: _Env) -> Js:
        text = self._test(node, env)
        return Js(f"$not({text})" if node.negated else text, "bool")

    def _test(self, node: ast.Test, env: _Env) -> str:
        name = is_context_read(node.operand, env.current is None)
        if node.name in ("defined", "undefined") and name is not None:
            if name in self.scope.locals:
                exists = "true"
            else:
                exists = f"$exists({_member(_atom(self.scope.ctx), name)})"
            return exists if node.name == "defined" else f"$not({exists})"
        value = self.node(node.operand, env)
        if node.name in ("defined", "undefined"):
            return f"({value.text}{'!=' if node.name == 'defined' else '='}null)"
        simple = {"none": "({v}=null)", "true": "({v}=true)", "false": "({v}=false)",
                  "string": "($type({v})='string')", "mapping": "($type({v})='object')",
                  "boolean": "($type({v})='boolean')", "number": "($type({v})='number')",
                  "sequence": "($type({v}) in ['array','string','object'])",
                  "iterable": "($type({v}) in ['array','string','object'])"}
        if node.name in simple:
            return simple[node.name].format(v=value.text)
        if node.name in ("even", "odd"):
            return f"({self.helper('mod', value.text, '2')}={0 if node.name == 'even' else 1})"
        t = self.temp()
        whole = f"$type({t})='number' and {t}=$floor({t})"
        if node.name == "float":
            whole = f"$type({t})='number' and {t}!=$floor({t})"
        return f"({t}:={value.text};{whole})"

    def _Binary(self, node: ast.Binary, env: _Env) -> Js:
        op = node.op
        left = self.node(node.left, env)
        right = self.node(node.right, env)
        if op in ("and", "or"):
            return self._logic(op, left, right)
        comparisons = {"eq": "=", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
        if op in comparisons:
            return Js(f"({left.text}{comparisons[op]}{right.text})", "bool")
        if op in ("in", "not in"):
            text = self.helper("in" if self.dialect == "yaql" else "jin", left.text,
                               right.text)
            return Js(f"$not({text})" if op == "not in" else text, "bool")
        if op in ("match", "not match"):
            text = self._regex_search(left, node.right, "=~")
            return Js(f"$not({text})" if op == "not match" else text, "bool")
        if op == "add":
            if left.kind in _NUMERIC and right.kind in _NUMERIC:
                return Js(f"({left.text}+{right.text})", _number_kind(left, right))
            if left.kind == "str" and right.kind == "str":
                return Js(f"({left.text}&{right.text})", "str")
            return Js(self.helper("add", left.text, right.text), _same(left, right))
        if op == "sub":
            if left.kind in _NUMERIC and right.kind in _NUMERIC:
                return Js(f"({left.text}-{right.text})", _number_kind(left, right))
            return Js(self.helper("sub", left.text, right.text))
        if op == "mul":
            return Js(f"({left.text}*{right.text})", _number_kind(left, right) or "num")
        if op == "div":
            if "float" in (left.kind, right.kind):
                return Js(f"({left.text}/{right.text})", "num")
            return Js(self.helper("div", left.text, right.text), "num")
        if op == "truediv":
            return Js(f"({left.text}/{right.text})", "num")
        if op == "floordiv":
            return Js(f"$floor({left.text}/{right.text})", "num")
        if op == "mod":
            return Js(self.helper("mod", left.text, right.text), "num")
        if op == "pow":
            return Js(f"$power({left.text},{right.text})", "num")
        if op == "concat":
            return Js(f"({self.stringify(left).text}&{self.stringify(right).text})", "str")
        raise ExpressionError(f"operator '{op}' is not supported", node.pos)

    def _logic(self, op: str, left: Js, right: Js) -> Js:
        if left.kind == "bool" and right.kind == "bool":
            return Js(f"({left.text} {op} {right.text})", "bool")
        kind = left.kind if left.kind == right.kind else None
        if left.kind == "bool":
            if op == "and":
                return Js(f"({left.text}?{right.text}:false)", kind)
            return Js(f"({left.text}?true:{right.text})", kind)
        t = self.temp()
        test = self.helper("truthy", t)
        if op == "and":
            return Js(f"({t}:={left.text};{test}?{right.text}:{t})", kind)
        return Js(f"({t}:={left.text};{test}?{t}:{right.text})", kind)

    def _regex_search(self, subject: Js, pattern: ast.Node, shown: str) -> str:
        if isinstance(pattern, ast.Literal) and isinstance(pattern.value, str):
            return f"$contains({subject.text},{_regex(pattern.value)})"
        message = (f"{shown} needs a literal regular expression in Stepwise (a pattern "
                   "computed at run time cannot be compiled)")
        return f"$error({_string(message)})"

    # -- calls -----------------------------------------------------------------------

    def _Call(self, node: ast.Call, env: _Env) -> Js:
        function = resolve(self.dialect, node)
        if function.deferred:
            return Js(f"$error({_string(function.deferred)})")
        special = getattr(self, "_fn_" + function.name, None)
        if special is not None:
            return special(node, env)
        positional = [a for a in node.args if not isinstance(a, ast.Pair)]
        args = [self.node(a, env) for a in positional]
        simple = _SIMPLE_CALLS.get(function.name)
        if simple is None:
            raise ExpressionError(f"function '{node.name}' cannot be translated", node.pos)
        template, kind = simple
        texts = [a.text for a in args]
        if template.startswith("$_"):
            return Js(self.helper(template[2:], *texts), kind)
        if "(" not in template:  # a JSONata function taking the arguments as they are
            return Js(f"{template}({','.join(texts)})", kind)
        return Js(template.format(*texts), kind)

    def _fn_str(self, node: ast.Call, env: _Env) -> Js:
        return self.stringify(self.node(node.args[0], env))

    def _fn_bool(self, node: ast.Call, env: _Env) -> Js:
        return Js(self.truthy(self.node(node.args[0], env)), "bool")

    def _fn_list(self, node: ast.Call, env: _Env) -> Js:
        return self.list([self.node(a, env) for a in node.args])

    def _fn_dict(self, node: ast.Call, env: _Env) -> Js:
        pairs = [(a.key, a.value) for a in node.args if isinstance(a, ast.Pair)]
        return self._object(pairs, env)

    def _lambda_call(self, helper: str, node: ast.Call, env: _Env, *extra: str,
                     kind: str | None = None) -> Js:
        target = self.node(node.args[0], env).text
        lambdas = [self.lambda_(a, env) for a in node.args[1:]] or ["function($v){$v}"]
        return Js(self.helper(helper, target, *lambdas, *extra), kind)

    def _fn_filter(self, node: ast.Call, env: _Env) -> Js:
        return self._lambda_call("filter", node, env, kind="list")

    def _fn_map(self, node: ast.Call, env: _Env) -> Js:
        return self._lambda_call("map", node, env, kind="list")

    def _fn_any(self, node: ast.Call, env: _Env) -> Js:
        return self._lambda_call("any", node, env, kind="bool")

    def _fn_all(self, node: ast.Call, env: _Env) -> Js:
        return self._lambda_call("all", node, env, kind="bool")

    def _fn_orderBy(self, node: ast.Call, env: _Env) -> Js:
        return self._lambda_call("sortby", node, env, "false", kind="list")

    def _fn_orderByDescending(self, node: ast.Call, env: _Env) -> Js:
        return self._lambda_call("sortby", node, env, "true", kind="list")

    def _fn_toDict(self, node: ast.Call, env: _Env) -> Js:
        target = self.node(node.args[0], env).text
        key = self.lambda_(node.args[1], env)
        value = self.lambda_(node.args[2], env) if len(node.args) > 2 else "function($v){$v}"
        return Js(self.helper("todict", target, key, value), "dict")

    def _fn_join(self, node: ast.Call, env: _Env) -> Js:
        args = [self.node(a, env).text for a in node.args]
        if len(args) == 1:
            args.append('""')
        return Js(self.helper("join", *args), "str")

    def _fn_concat(self, node: ast.Call, env: _Env) -> Js:
        parts = [self.stringify(self.node(a, env)).text for a in node.args]
        return Js("(" + "&".join(parts) + ")" if len(parts) > 1 else parts[0], "str")

    def _fn_format(self, node: ast.Call, env: _Env) -> Js:
        pattern = node.args[0]
        assert isinstance(pattern, ast.Literal) and isinstance(pattern.value, str)
        values = [self.stringify(self.node(a, env)).text for a in node.args[1:]]
        pieces = [_string(p) if isinstance(p, str) else values[p]
                  for p in parse_format(pattern.value, pattern.pos, len(values))]
        if not pieces:
            return Js('""', "str")
        return Js("(" + "&".join(pieces) + ")" if len(pieces) > 1 else pieces[0], "str")

    def _first_last(self, name: str, node: ast.Call, env: _Env) -> Js:
        args = [self.node(a, env).text for a in node.args]
        return Js(self.helper(name, *args))

    def _fn_first(self, node: ast.Call, env: _Env) -> Js:
        return self._first_last("first", node, env)

    def _fn_last(self, node: ast.Call, env: _Env) -> Js:
        return self._first_last("last", node, env)

    def _aggregate(self, name: str, node: ast.Call, env: _Env) -> Js:
        args = [self.node(a, env) for a in node.args]
        target = args[0].text if len(args) == 1 else self.list(args).text
        return Js(self.helper(name, target))

    def _fn_sum(self, node: ast.Call, env: _Env) -> Js:
        return self._aggregate("sum", node, env)

    def _fn_min(self, node: ast.Call, env: _Env) -> Js:
        return self._aggregate("min", node, env)

    def _fn_max(self, node: ast.Call, env: _Env) -> Js:
        return self._aggregate("max", node, env)

    def _fn_coalesce(self, node: ast.Call, env: _Env) -> Js:
        items = self.list([self.node(a, env) for a in node.args])
        return Js(self.helper("coalesce", items.text))

    def _fn_get(self, node: ast.Call, env: _Env) -> Js:
        target, key = node.args[0], self.node(node.args[1], env)
        default = self.node(node.args[2], env) if len(node.args) > 2 else Js("null", "null")
        if isinstance(target, ast.Current) and env.current is None:
            return self.get_variable(key, default)
        return Js(self.helper("get", self.node(target, env).text, key.text, default.text))

    def _fn_global(self, node: ast.Call, env: _Env) -> Js:
        key = self.node(node.args[0], env).text
        return Js(self.helper("get", _atom(self.scope.ctx), key, "null"))

    def _type_test(self, node: ast.Call, env: _Env, jsonata_type: str) -> Js:
        value = self.node(node.args[0], env).text
        return Js(f"($type({value})='{jsonata_type}')", "bool")

    def _fn_isDict(self, node: ast.Call, env: _Env) -> Js:
        return self._type_test(node, env, "object")

    def _fn_isList(self, node: ast.Call, env: _Env) -> Js:
        return self._type_test(node, env, "array")

    def _fn_isString(self, node: ast.Call, env: _Env) -> Js:
        return self._type_test(node, env, "string")

    def _fn_isNumber(self, node: ast.Call, env: _Env) -> Js:
        return self._type_test(node, env, "number")

    def _fn_isBoolean(self, node: ast.Call, env: _Env) -> Js:
        return self._type_test(node, env, "boolean")

    def _fn_isInteger(self, node: ast.Call, env: _Env) -> Js:
        t = self.temp()
        value = self.node(node.args[0], env).text
        return Js(f"({t}:={value};$type({t})='number' and {t}=$floor({t}))", "bool")

    def _fn_replace(self, node: ast.Call, env: _Env) -> Js:
        args = [self.node(a, env) for a in node.args]
        texts = [a.text for a in args[:3]]
        if len(args) == 4 and not (args[3].kind in _NUMERIC and args[3].text.startswith("(-")):
            texts.append(args[3].text)  # a negative count means "all", as in Python
        return Js(f"$replace({','.join(texts)})", "str")

    def _fn_split(self, node: ast.Call, env: _Env) -> Js:
        return Js(self.helper("split", *[self.node(a, env).text for a in node.args]), "list")

    def _fn_matches(self, node: ast.Call, env: _Env) -> Js:
        subject = self.node(node.args[0], env)
        return Js(self._regex_search(subject, node.args[1], "matches()"), "bool")

    def _fn_range(self, node: ast.Call, env: _Env) -> Js:
        args = [self.node(a, env).text for a in node.args]
        if len(args) == 1:
            args.insert(0, "0")
        return Js(self.helper("range", *args), "list")

    def _fn_skip(self, node: ast.Call, env: _Env) -> Js:
        target, count = (self.node(a, env).text for a in node.args)
        return Js(self.helper("slice", target, count, _MAX_INT), "list")

    def _fn_take(self, node: ast.Call, env: _Env) -> Js:
        target, count = (self.node(a, env).text for a in node.args)
        return Js(self.helper("slice", target, "0", count), "list")

    def _fn_default(self, node: ast.Call, env: _Env) -> Js:
        positional = [a for a in node.args if not isinstance(a, ast.Pair)]
        boolean = [a.value for a in node.args if isinstance(a, ast.Pair)]
        if len(positional) > 2:
            boolean.append(positional[2])
        fallback = self.node(positional[1], env) if len(positional) > 1 else Js('""', "str")
        target = positional[0]
        name = is_context_read(target, env.current is None)
        if boolean:
            value = self.node(target, env) if name is None else \
                self.get_variable(Js(_string(name), "str"), Js("null", "null"))
            t = self.temp()
            return Js(f"({t}:={value.text};{self.helper('truthy', t)}?{t}:{fallback.text})")
        if name is not None:
            return self.get_variable(Js(_string(name), "str"), fallback)
        t = self.temp()
        value = self.node(target, env)
        return Js(f"({t}:={value.text};{t}=null?{fallback.text}:{t})")

    def _fn_mapattr(self, node: ast.Call, env: _Env) -> Js:
        target = self.node(node.args[0], env).text
        pair = node.args[1]
        assert isinstance(pair, ast.Pair) and isinstance(pair.value, ast.Literal)
        t = self.temp()
        attr = self.helper("attr", t, _string(str(pair.value.value)))
        return Js(self.helper("map", target, f"function({t}){{{attr}}}"), "list")

    def _fn_execution(self, node: ast.Call, env: _Env) -> Js:
        return Js(_atom(self.scope.execution), "dict")

    def _fn_env(self, node: ast.Call, env: _Env) -> Js:
        return Js(_atom(self.scope.env))

    def _fn_task(self, node: ast.Call, env: _Env) -> Js:
        name = node.args[0].value if node.args else None  # type: ignore[attr-defined]
        return Js(_atom(self.scope.task(name)))

    def _fn_json_parse(self, node: ast.Call, env: _Env) -> Js:
        return Js(self.helper("parse", self.node(node.args[0], env).text, '"json_parse"'))

    def _fn_yaml_parse(self, node: ast.Call, env: _Env) -> Js:
        return Js(self.helper("parse", self.node(node.args[0], env).text, '"yaml_parse"'))


# canonical name → (JSONata template with {0}, {1}... or "$_helper", static kind)
_SIMPLE_CALLS: dict[str, tuple[str, str | None]] = {
    "len": ("$_len", "int"), "int": ("$_int", "int"), "float": ("$_float", "num"),
    "keys": ("$_keys", "list"), "values": ("$_values", "list"), "items": ("$_items", "list"),
    "now": ("$now", "str"), "distinct": ("$_distinct", "list"),
    "flatten": ("$_flatten", "list"), "contains": ("$_contains", "bool"),
    "containsKey": ("$_haskey", "bool"),
    "containsValue": ("$_has($_values({0}),{1})", "bool"),
    "startsWith": ("$_startswith", "bool"), "endsWith": ("$_endswith", "bool"),
    "indexOf": ("$_indexof", "int"), "lower": ("$lowercase", "str"),
    "upper": ("$uppercase", "str"), "strip": ("$_strip", "str"),
    "sort": ("$_sort", "list"), "reverse": ("$_reverse", None),
    "substring": ("$substring", "str"), "abs": ("$abs", "num"),
    "round": ("$round", "num"), "tolist": ("$_tolist", "list"),
    "capitalize": ("$_capitalize", "str"), "tojson": ("$string", "str"),
    "json_pp": ("$string({0},true)", "str"), "json_dump": ("$string({0},true)", "str"),
    "yaml_dump": ("$string({0},true)", "str"), "uuid": ("$_uuid", "str"),
}


def _same(left: Js, right: Js) -> str | None:
    return left.kind if left.kind == right.kind and left.kind in ("list", "str") else None


def _number_kind(left: Js, right: Js) -> str | None:
    if left.kind == "int" and right.kind == "int":
        return "int"
    if left.kind in _NUMERIC and right.kind in _NUMERIC:
        return "float" if "float" in (left.kind, right.kind) else "num"
    return None


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _constant(value: Any) -> Js:
    if value is None:
        return Js("null", "null")
    if isinstance(value, bool):
        return Js("true" if value else "false", "bool")
    if isinstance(value, int):
        return Js(str(value), "int")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be represented in JSON")
        return Js(repr(value), "float")
    if isinstance(value, str):
        return Js(_string(value), "str")
    if hasattr(value, "isoformat"):  # YAML dates and timestamps
        return Js(_string(value.isoformat()), "str")
    raise ValueError(f"a value of type {type(value).__name__} cannot be used in a workflow")


def _atom(text: str) -> str:
    """`text` wrapped in parentheses unless it is a plain name or path."""
    return text if _SIMPLE_PATH.fullmatch(text) else f"({text})"


def _member(atom: str, name: str) -> str:
    """JSONata reading key `name` of the object `atom`."""
    if re.fullmatch(r"[A-Za-z_]\w*", name) and name not in _JSONATA_WORDS:
        return f"{atom}.{name}"
    return f"$lookup({atom},{_string(name)})"


def _regex(pattern: str) -> str:
    """A JSONata regular-expression literal for a Python pattern."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "/":
            out.append("\\/")
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "/" + "".join(out) + "/"
