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

from collections.abc import Mapping
from typing import Any

from chalicelib.language.expressions import ast, is_template, parse_template
from chalicelib.language.expressions.check import is_context_read
from chalicelib.language.expressions.errors import ExpressionError
from chalicelib.language.expressions.template import Expression, Template

from . import memo as _memo
from .calls import CallTranslation
from .pieces import (
    NUMERIC,
    SCALAR,
    Env,
    Js,
    atom,
    constant,
    field_read,
    member,
    number_kind,
    regex,
    same,
    string,
)
from .runtime import prelude
from .scope import Scope


TASK_CURRENT, TASK_NAMED = 1, 2  # bits of `Translator.task_reads`
_PLAIN_CONSTANTS = frozenset({int, float, bool, type(None)})
_ROOT = Env(None, {})  # `$` is the context; no let-bound names (never mutated)
_CONTEXT_READS = (ast.Attribute, ast.Index)  # the only nodes that may read $.name
_COMPARISONS = {"eq": "=", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}


class Translator(CallTranslation):
    """Translates expressions of one state field; collects the helpers they need."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.helpers: set[str] = set()
        self.temps = 0
        self.dialect = "yaql"
        # what the template being translated read of the tasks: TASK_CURRENT for task(),
        # TASK_NAMED for task(name) (whose text depends on the task being compiled)
        self.task_reads = 0
        self.memo = _memo.current() if scope.key is not None else None

    # -- entry points ---------------------------------------------------------------

    def finish(self, piece: Js) -> str:
        """One JSONata expression: the piece, preceded by the helpers it calls."""
        if not self.helpers:
            return piece.text
        return f"({prelude(self.helpers)}{piece.text})"

    def template(self, template: Template) -> Js:
        memo = self.memo
        if memo is None:
            return self._template(template)
        piece = self._recall(template.text)
        return piece if piece is not None else self._remember(template)

    def _remember(self, template: Template) -> Js:
        """Translate `template` and remember the translation when another scope with the
        same keys would give the same text: it read no task by name, and task() only where
        the scope says what task() is."""
        scope = self.scope
        key = (template.text, scope.key, self.temps)
        outer = self.helpers
        self.helpers = set()
        self.task_reads = 0
        piece = self._template(template)
        used = self.helpers
        outer.update(used)
        self.helpers = outer
        reads = self.task_reads
        if reads & TASK_NAMED or (reads and scope.task_key is None):
            return piece
        self.memo[key] = (scope.task_key if reads else None, piece, frozenset(used),
                          self.temps, self.dialect)
        return piece

    def _recall(self, text: str) -> Js | None:
        """The remembered translation of template `text` in this scope, if any (the key
        holds the temporaries numbered before it in the same field: its own follow them)."""
        scope = self.scope
        entry = self.memo.get((text, scope.key, self.temps))  # type: ignore[union-attr]
        if entry is None or (entry[0] is not None and entry[0] != scope.task_key):
            return None
        _, piece, helpers, self.temps, self.dialect = entry
        if helpers:
            self.helpers.update(helpers)
        return piece

    def _template(self, template: Template) -> Js:
        single = template.single
        if single is not None:
            return self.expression(single)
        pieces = []
        for part in template.parts:
            if isinstance(part, str):
                pieces.append(string(part))
            else:
                pieces.append(self.stringify(self.expression(part)).text)
        if len(pieces) == 1:
            return Js(pieces[0], "str")
        return Js("(" + " & ".join(pieces) + ")", "str")

    def expression(self, expression: Expression) -> Js:
        self.dialect = expression.dialect
        return self.node(expression.node, _ROOT)

    def value(self, value: Any) -> Js:
        """A YAML value whose strings may be templates → JSONata building that value."""
        kind = type(value)
        if kind in _PLAIN_CONSTANTS:  # the common scalars, without the checks below
            return constant(value)
        if isinstance(value, str):
            return self.template(parse_template(value)) if is_template(value) else \
                Js(string(value), "str")
        if kind is dict or isinstance(value, Mapping):
            entries = [f"{string(k if type(k) is str else str(k))}:{self._text(v)}"
                       for k, v in value.items()]
            return Js("{" + ",".join(entries) + "}", "dict")
        if isinstance(value, (list, tuple)):
            return self.list([self.value(v) for v in value])
        return constant(value)

    def _text(self, value: Any) -> str:
        """`value(value).text`, without building pieces for the common scalars."""
        kind = type(value)
        if kind is str:
            if self.memo is not None:  # a template met before: no need to parse it again
                piece = self._recall(value)
                if piece is not None:
                    return piece.text
                if is_template(value):
                    return self._remember(parse_template(value)).text
                return string(value)
            if is_template(value):
                return self.template(parse_template(value)).text
            return string(value)
        if kind is int:
            return str(value)
        return self.value(value).text

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
            if item.kind in SCALAR:
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

    def lambda_(self, node: ast.Node, env: Env) -> str:
        name = self.temp()
        body = self.node(node, Env(name, env.variables))
        return f"function({name}){{{body.text}}}"

    def root(self) -> str:
        ctx = atom(self.scope.ctx)
        if not self.scope.locals:
            return ctx
        extra = ",".join(f"{string(k)}:{v}" for k, v in self.scope.locals.items())
        return f"$merge([{ctx},{{{extra}}}])"

    def read_variable(self, name: str) -> Js:
        """$.name at the root: a with-items name, else a context variable that must exist."""
        if name in self.scope.locals:
            return Js(atom(self.scope.locals[name]))
        path = member(atom(self.scope.ctx), name)
        message = string(f"variable '{name}' is not defined")
        return Js(f"($exists({path})?{path}:$error({message}))")

    def get_variable(self, name: str, default: Js) -> Js:
        """$.get('name', default) at the root: no error for a missing variable."""
        if name in self.scope.locals:
            return Js(atom(self.scope.locals[name]))
        path = member(atom(self.scope.ctx), name)
        return Js(f"($exists({path})?{path}:{default.text})")

    # -- nodes -----------------------------------------------------------------------

    def node(self, node: ast.Node, env: Env) -> Js:
        kind = type(node)
        if kind in _CONTEXT_READS and env.current is None:
            name = is_context_read(node, True)
            if name is not None:
                return self.read_variable(name)
        method = _METHODS.get(kind)
        if method is None:
            return getattr(self, "_" + kind.__name__)(node, env)
        return method(self, node, env)

    def _Literal(self, node: ast.Literal, env: Env) -> Js:
        return constant(node.value)

    def _ListLit(self, node: ast.ListLit, env: Env) -> Js:
        return self.list([self.node(item, env) for item in node.items])

    def _DictLit(self, node: ast.DictLit, env: Env) -> Js:
        return self._object(node.items, env)

    def _object(self, items, env: Env) -> Js:
        entries: dict[str, str] = {}
        for key, value in items:
            k = self.node(key, env)
            key_text = k.text if k.kind == "str" else self.stringify(k).text
            entries[key_text] = self.node(value, env).text  # a repeated key: the last wins
        return Js("{" + ",".join(f"{k}:{v}" for k, v in entries.items()) + "}", "dict")

    def _Current(self, node: ast.Current, env: Env) -> Js:
        return Js(env.current if env.current is not None else self.root())

    def _Variable(self, node: ast.Variable, env: Env) -> Js:
        return Js(env.variables[node.name])

    def _Attribute(self, node: ast.Attribute, env: Env) -> Js:
        target = self.node(node.target, env)
        if target.fields is not None:  # an object literal: its value, no helper needed
            return field_read(target.fields, node.name)
        return Js(self.helper("attr", target.text, string(node.name)))

    def _Index(self, node: ast.Index, env: Env) -> Js:
        target = self.node(node.target, env)
        return Js(self.helper("index", target.text, self.node(node.index, env).text))

    def _Unary(self, node: ast.Unary, env: Env) -> Js:
        operand = self.node(node.operand, env)
        if node.op == "not":
            return Js(f"$not({self.truthy(operand)})", "bool")
        if node.op == "neg":
            kind = operand.kind if operand.kind in NUMERIC else None
            return Js(f"(-{operand.text})", kind)
        return operand

    def _Conditional(self, node: ast.Conditional, env: Env) -> Js:
        test = self.truthy(self.node(node.test, env))
        then = self.node(node.then, env)
        other = self.node(node.otherwise, env) if node.otherwise is not None else Js("null")
        kind = then.kind if then.kind == other.kind else None
        return Js(f"({test}?{then.text}:{other.text})", kind)

    def _Arrow(self, node: ast.Arrow, env: Env) -> Js:
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
            body = self.node(node.right, Env(env.current, variables))
            return Js("(" + "".join(bindings) + body.text + ")", body.kind)
        value = self.node(left, env)
        name = self.temp()
        body = self.node(node.right, Env(name, env.variables))
        return Js(f"({name}:={value.text};{body.text})", body.kind)

    def _Test(self, node: ast.Test, env: Env) -> Js:
        text = self._test(node, env)
        return Js(f"$not({text})" if node.negated else text, "bool")

    def _test(self, node: ast.Test, env: Env) -> str:
        name = is_context_read(node.operand, env.current is None)
        if node.name in ("defined", "undefined") and name is not None:
            if name in self.scope.locals:
                exists = "true"
            else:
                exists = f"$exists({member(atom(self.scope.ctx), name)})"
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

    def _Binary(self, node: ast.Binary, env: Env) -> Js:
        op = node.op
        left = self.node(node.left, env)
        right = self.node(node.right, env)
        if op in ("and", "or"):
            return self._logic(op, left, right)
        if op in _COMPARISONS:
            return Js(f"({left.text}{_COMPARISONS[op]}{right.text})", "bool")
        if op in ("in", "not in"):
            text = self.helper("in" if self.dialect == "yaql" else "jin", left.text,
                               right.text)
            return Js(f"$not({text})" if op == "not in" else text, "bool")
        if op in ("match", "not match"):
            text = self._regex_search(left, node.right, "=~")
            return Js(f"$not({text})" if op == "not match" else text, "bool")
        if op == "add":
            # `$_add` only differs from `+` when both sides are lists, strings or dicts:
            # one number is enough for JSONata's `+` to do exactly what it does
            if left.kind in NUMERIC or right.kind in NUMERIC:
                return Js(f"({left.text}+{right.text})", number_kind(left, right))
            if left.kind == "str" and right.kind == "str":
                return Js(f"({left.text}&{right.text})", "str")
            return Js(self.helper("add", left.text, right.text), same(left, right))
        if op == "sub":
            # `$_sub` only differs from `-` when the left side is a list
            if left.kind in NUMERIC:
                return Js(f"({left.text}-{right.text})", number_kind(left, right))
            return Js(self.helper("sub", left.text, right.text))
        if op == "mul":
            return Js(f"({left.text}*{right.text})", number_kind(left, right) or "num")
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
            return f"$contains({subject.text},{regex(pattern.value)})"
        message = (f"{shown} needs a literal regular expression in Stepwise (a pattern "
                   "computed at run time cannot be compiled)")
        return f"$error({string(message)})"


# node class → its translation method, so that `node` dispatches without building names
_METHODS = {cls: getattr(Translator, "_" + cls.__name__) for cls in vars(ast).values()
            if isinstance(cls, type) and issubclass(cls, ast.Node)
            and hasattr(Translator, "_" + cls.__name__)}
