"""Translation of function, method and filter calls.

Takes: checked `Call` nodes (through `Translator.node`).
Gives: `CallTranslation`, the part of `Translator` that maps each canonical function of
`chalicelib.language.expressions.functions` to JSONata: either a helper or built-in called
with the arguments as they are (`SIMPLE_CALLS`) or a `_fn_<name>` method.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chalicelib.language.expressions import ast
from chalicelib.language.expressions.check import is_context_read, resolve
from chalicelib.language.expressions.errors import ExpressionError
from chalicelib.language.expressions.functions import parse_format

from .pieces import MAX_INT, NUMERIC, Env, Js, atom, string

_HELPER_CALLS = re.compile(r"\$_([a-z]+)\(")

if TYPE_CHECKING:
    from .translate import Translator

    _Base = Translator
else:
    _Base = object


class CallTranslation(_Base):
    """`_Call` and one `_fn_<name>` method per canonical function that needs one."""

    def _Call(self, node: ast.Call, env: Env) -> Js:
        function = resolve(self.dialect, node)
        if function.deferred:
            return Js(f"$error({string(function.deferred)})")
        special = getattr(self, "_fn_" + function.name, None)
        if special is not None:
            return special(node, env)
        positional = [a for a in node.args if not isinstance(a, ast.Pair)]
        args = [self.node(a, env) for a in positional]
        simple = SIMPLE_CALLS.get(function.name)
        if simple is None:
            raise ExpressionError(f"function '{node.name}' cannot be translated", node.pos)
        template, kind = simple
        texts = [a.text for a in args]
        if "{" in template:
            for helper in _HELPER_CALLS.findall(template):
                self.helpers.add(helper)
            return Js(template.format(*texts), kind)
        if template.startswith("$_"):
            return Js(self.helper(template[2:], *texts), kind)
        return Js(f"{template}({','.join(texts)})", kind)  # a JSONata function as it is

    def _fn_str(self, node: ast.Call, env: Env) -> Js:
        return self.stringify(self.node(node.args[0], env))

    def _fn_bool(self, node: ast.Call, env: Env) -> Js:
        return Js(self.truthy(self.node(node.args[0], env)), "bool")

    def _fn_list(self, node: ast.Call, env: Env) -> Js:
        return self.list([self.node(a, env) for a in node.args])

    def _fn_dict(self, node: ast.Call, env: Env) -> Js:
        pairs = [(a.key, a.value) for a in node.args if isinstance(a, ast.Pair)]
        return self._object(pairs, env)

    def _lambda_call(self, helper: str, node: ast.Call, env: Env, *extra: str,
                     kind: str | None = None) -> Js:
        target = self.node(node.args[0], env).text
        lambdas = [self.lambda_(a, env) for a in node.args[1:]] or ["function($v){$v}"]
        return Js(self.helper(helper, target, *lambdas, *extra), kind)

    def _fn_filter(self, node: ast.Call, env: Env) -> Js:
        return self._lambda_call("filter", node, env, kind="list")

    def _fn_map(self, node: ast.Call, env: Env) -> Js:
        return self._lambda_call("map", node, env, kind="list")

    def _fn_any(self, node: ast.Call, env: Env) -> Js:
        return self._lambda_call("any", node, env, kind="bool")

    def _fn_all(self, node: ast.Call, env: Env) -> Js:
        return self._lambda_call("all", node, env, kind="bool")

    def _fn_orderBy(self, node: ast.Call, env: Env) -> Js:
        return self._lambda_call("sortby", node, env, "false", kind="list")

    def _fn_orderByDescending(self, node: ast.Call, env: Env) -> Js:
        return self._lambda_call("sortby", node, env, "true", kind="list")

    def _fn_toDict(self, node: ast.Call, env: Env) -> Js:
        target = self.node(node.args[0], env).text
        key = self.lambda_(node.args[1], env)
        value = self.lambda_(node.args[2], env) if len(node.args) > 2 else "function($v){$v}"
        return Js(self.helper("todict", target, key, value), "dict")

    def _fn_join(self, node: ast.Call, env: Env) -> Js:
        args = [self.node(a, env).text for a in node.args]
        if len(args) == 1:
            args.append('""')
        return Js(self.helper("join", *args), "str")

    def _fn_concat(self, node: ast.Call, env: Env) -> Js:
        parts = [self.stringify(self.node(a, env)).text for a in node.args]
        return Js("(" + "&".join(parts) + ")" if len(parts) > 1 else parts[0], "str")

    def _fn_format(self, node: ast.Call, env: Env) -> Js:
        pattern = node.args[0]
        assert isinstance(pattern, ast.Literal) and isinstance(pattern.value, str)
        values = [self.stringify(self.node(a, env)).text for a in node.args[1:]]
        pieces = [string(p) if isinstance(p, str) else values[p]
                  for p in parse_format(pattern.value, pattern.pos, len(values))]
        if not pieces:
            return Js('""', "str")
        return Js("(" + "&".join(pieces) + ")" if len(pieces) > 1 else pieces[0], "str")

    def _first_last(self, name: str, node: ast.Call, env: Env) -> Js:
        args = [self.node(a, env).text for a in node.args]
        return Js(self.helper(name, *args))

    def _fn_first(self, node: ast.Call, env: Env) -> Js:
        return self._first_last("first", node, env)

    def _fn_last(self, node: ast.Call, env: Env) -> Js:
        return self._first_last("last", node, env)

    def _aggregate(self, name: str, node: ast.Call, env: Env) -> Js:
        args = [self.node(a, env) for a in node.args]
        target = args[0].text if len(args) == 1 else self.list(args).text
        return Js(self.helper(name, target))

    def _fn_sum(self, node: ast.Call, env: Env) -> Js:
        return self._aggregate("sum", node, env)

    def _fn_min(self, node: ast.Call, env: Env) -> Js:
        return self._aggregate("min", node, env)

    def _fn_max(self, node: ast.Call, env: Env) -> Js:
        return self._aggregate("max", node, env)

    def _fn_coalesce(self, node: ast.Call, env: Env) -> Js:
        items = self.list([self.node(a, env) for a in node.args])
        return Js(self.helper("coalesce", items.text))

    def _fn_get(self, node: ast.Call, env: Env) -> Js:
        target, key = node.args[0], self.node(node.args[1], env)
        default = self.node(node.args[2], env) if len(node.args) > 2 else Js("null", "null")
        if isinstance(target, ast.Current) and env.current is None:
            literal = node.args[1]
            if isinstance(literal, ast.Literal) and isinstance(literal.value, str):
                return self.get_variable(literal.value, default)
            return Js(self.helper("get", self.root(), key.text, default.text))
        return Js(self.helper("get", self.node(target, env).text, key.text, default.text))

    def _fn_global(self, node: ast.Call, env: Env) -> Js:
        key = self.node(node.args[0], env).text
        return Js(self.helper("get", atom(self.scope.ctx), key, "null"))

    def _type_test(self, node: ast.Call, env: Env, jsonata_type: str) -> Js:
        value = self.node(node.args[0], env).text
        return Js(f"($type({value})='{jsonata_type}')", "bool")

    def _fn_isDict(self, node: ast.Call, env: Env) -> Js:
        return self._type_test(node, env, "object")

    def _fn_isList(self, node: ast.Call, env: Env) -> Js:
        return self._type_test(node, env, "array")

    def _fn_isString(self, node: ast.Call, env: Env) -> Js:
        return self._type_test(node, env, "string")

    def _fn_isNumber(self, node: ast.Call, env: Env) -> Js:
        return self._type_test(node, env, "number")

    def _fn_isBoolean(self, node: ast.Call, env: Env) -> Js:
        return self._type_test(node, env, "boolean")

    def _fn_isInteger(self, node: ast.Call, env: Env) -> Js:
        t = self.temp()
        value = self.node(node.args[0], env).text
        return Js(f"({t}:={value};$type({t})='number' and {t}=$floor({t}))", "bool")

    def _fn_replace(self, node: ast.Call, env: Env) -> Js:
        args = [self.node(a, env) for a in node.args]
        texts = [a.text for a in args[:3]]
        if len(args) == 4 and not (args[3].kind in NUMERIC and args[3].text.startswith("(-")):
            texts.append(args[3].text)  # a negative count means "all", as in Python
        return Js(f"$replace({','.join(texts)})", "str")

    def _fn_split(self, node: ast.Call, env: Env) -> Js:
        return Js(self.helper("split", *[self.node(a, env).text for a in node.args]), "list")

    def _fn_matches(self, node: ast.Call, env: Env) -> Js:
        subject = self.node(node.args[0], env)
        return Js(self._regex_search(subject, node.args[1], "matches()"), "bool")

    def _fn_range(self, node: ast.Call, env: Env) -> Js:
        args = [self.node(a, env).text for a in node.args]
        if len(args) == 1:
            args.insert(0, "0")
        return Js(self.helper("range", *args), "list")

    def _fn_skip(self, node: ast.Call, env: Env) -> Js:
        target, count = (self.node(a, env).text for a in node.args)
        return Js(self.helper("slice", target, count, MAX_INT), "list")

    def _fn_take(self, node: ast.Call, env: Env) -> Js:
        target, count = (self.node(a, env).text for a in node.args)
        return Js(self.helper("slice", target, "0", count), "list")

    def _fn_default(self, node: ast.Call, env: Env) -> Js:
        positional = [a for a in node.args if not isinstance(a, ast.Pair)]
        boolean = [a.value for a in node.args if isinstance(a, ast.Pair)]
        if len(positional) > 2:
            boolean.append(positional[2])
        fallback = self.node(positional[1], env) if len(positional) > 1 else Js('""', "str")
        target = positional[0]
        name = is_context_read(target, env.current is None)
        if boolean:
            value = self.node(target, env) if name is None else \
                self.get_variable(name, Js("null", "null"))
            t = self.temp()
            return Js(f"({t}:={value.text};{self.helper('truthy', t)}?{t}:{fallback.text})")
        if name is not None:
            return self.get_variable(name, fallback)
        t = self.temp()
        value = self.node(target, env)
        return Js(f"({t}:={value.text};{t}=null?{fallback.text}:{t})")

    def _fn_mapattr(self, node: ast.Call, env: Env) -> Js:
        target = self.node(node.args[0], env).text
        pair = node.args[1]
        assert isinstance(pair, ast.Pair) and isinstance(pair.value, ast.Literal)
        t = self.temp()
        attr = self.helper("attr", t, string(str(pair.value.value)))
        return Js(self.helper("map", target, f"function({t}){{{attr}}}"), "list")

    def _fn_execution(self, node: ast.Call, env: Env) -> Js:
        return Js(atom(self.scope.execution), "dict")

    def _fn_env(self, node: ast.Call, env: Env) -> Js:
        return Js(atom(self.scope.env))

    def _fn_task(self, node: ast.Call, env: Env) -> Js:
        name = node.args[0].value if node.args else None  # type: ignore[attr-defined]
        self.task_reads |= 1 if name is None else 2  # TASK_CURRENT / TASK_NAMED
        return Js(atom(self.scope.task(name)), None, self.scope.task_fields(name))

    def _fn_json_parse(self, node: ast.Call, env: Env) -> Js:
        return Js(self.helper("parse", self.node(node.args[0], env).text, '"json_parse"'))

    def _fn_yaml_parse(self, node: ast.Call, env: Env) -> Js:
        return Js(self.helper("parse", self.node(node.args[0], env).text, '"yaml_parse"'))



# canonical name → (static kind and either "$_helper" / "$function", called with the
# arguments as they are, or a JSONata template with {0}, {1}, ...)
SIMPLE_CALLS: dict[str, tuple[str, str | None]] = {
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
