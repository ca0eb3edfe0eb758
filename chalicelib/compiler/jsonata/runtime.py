r"""Run-time helper functions that translated expressions call.

Takes: nothing (a table of JSONata function definitions).
Gives: `HELPERS` (name → JSONata `function(...){...}` text) and `prelude(names)`, which
returns the `$_name := function...;` definitions for the given helpers and every helper they
call, in a stable order. A translated expression that needs helpers becomes
`( <prelude> <body> )`.

Why helpers: Mistral values follow Python rules that plain JSONata operators do not
(truthiness of [] and {}, integer division, `+` on lists, str() of None/True, no
flattening of nested lists, no singleton unwrapping). Every helper returns null, never
JSONata's "undefined", and builds lists with `$_wrap` so that a list holding one list stays
nested. Helper names are `$_` followed by letters; the translator's temporaries are `$_`
followed by digits; let-bound variables are `$__name`.
"""
from __future__ import annotations

import functools
import re

HELPERS: dict[str, str] = {
    # [v] that keeps v nested when v is itself a list ([[1]] stays [[1]]).
    "wrap": "function($v){$exists($v)?($type($v)='array'?[[$v]]:[$v]):[null]}",
    "nn": "function($v){$exists($v)?$v:null}",
    "truthy": "function($v){$type($v)='array'?$count($v)>0:$boolean($v)=true}",
    "tname": "function($v){$exists($v)?($type($v)='array'?'list':$type($v)='object'?'dict'"
             ":$type($v)):'null'}",
    "seq": "function($v,$f){$type($v)='array'?$v:$error($f&'() expects a list, got '"
           "&$_tname($v))}",
    "map": "function($l,$f){$reduce($_seq($l,'select'),function($a,$v){$append($a,"
           "$_wrap($f($v)))},[])}",
    "filter": "function($l,$f){$reduce($_seq($l,'where'),function($a,$v){$_truthy($f($v))"
              "?$append($a,$_wrap($v)):$a},[])}",
    "any": "function($l,$f){$reduce($_seq($l,'any'),function($a,$v){$a or $_truthy($f($v))"
           "},false)}",
    "all": "function($l,$f){$reduce($_seq($l,'all'),function($a,$v){$a and $_truthy($f($v))"
           "},true)}",
    "has": "function($l,$v){$reduce($l,function($a,$x){$a or $x=$v},false)}",
    "attr": "function($o,$k){$type($o)='object'?$_nn($lookup($o,$k)):$type($o)='array'?"
            "$reduce($o,function($a,$i){$append($a,$_wrap($_attr($i,$k)))},[]):null}",
    "get": "function($d,$k,$def){($type($d)='object' and $type($k)='string' and "
           "$exists($lookup($d,$k)))?$lookup($d,$k):$def}",
    "haskey": "function($d,$k){$type($d)='object'?($type($k)='string' and "
              "$exists($lookup($d,$k))):$error('containsKey() expects a dict, got '"
              "&$_tname($d))}",
    "index": "function($x,$i){$type($x)='object'?$_get($x,$i,null):$type($i)!='number'?"
             "$error('list indexes must be integers, got '&$_tname($i)):($n:=$type($x)="
             "'string'?$length($x):$type($x)='array'?$count($x):$error('cannot index '"
             "&$_tname($x));$j:=$i<0?$n+$i:$i;($j<0 or $j>=$n)?$error('index '&$string($i)"
             "&' is out of range'):$type($x)='string'?$substring($x,$j,1):$x[$j])}",
    "keys": "function($d){$type($d)='object'?$append([],$keys($d)):$error("
            "'keys() expects a dict, got '&$_tname($d))}",
    "values": "function($d){$_map($_keys($d),function($k){$lookup($d,$k)})}",
    "items": "function($d){$_map($_keys($d),function($k){$append([$k],"
             "$_wrap($lookup($d,$k)))})}",
    "len": "function($v){$type($v)='array'?$count($v):$type($v)='string'?$length($v):"
           "$type($v)='object'?$count($keys($v)):$error('len() expects a list, a string or "
           "a dict, got '&$_tname($v))}",
    # Python str(): strings as they are, None/True/False, repr() inside containers.
    "str": "function($v){$type($v)='string'?$v:$_repr($v)}",
    "repr": "function($v){$type($v)='string'?$_quote($v):$type($v)='boolean'?($v?'True':"
            "'False'):$type($v)='number'?$string($v):$type($v)='array'?'['&$join($map($v,"
            "$_repr),', ')&']':$type($v)='object'?'{'&$join($each($v,function($x,$k){"
            "$_quote($k)&': '&$_repr($x)}),', ')&'}':'None'}",
    "quote": "function($s){($q:=($contains($s,\"'\") and $not($contains($s,'\"')))?'\"':"
             "\"'\";$q&$replace($replace($replace($replace($replace($s,'\\\\','\\\\\\\\'),"
             "$q,'\\\\'&$q),'\\n','\\\\n'),'\\r','\\\\r'),'\\t','\\\\t')&$q)}",
    "int": "function($v){$type($v)='number'?($v<0?$ceil($v):$floor($v)):$type($v)='string'"
           "?$_int($number($trim($v))):$type($v)='boolean'?($v?1:0):$error("
           "'int() expects a number or a string, got '&$_tname($v))}",
    "float": "function($v){$type($v)='number'?$v:$type($v)='string'?$number($trim($v)):"
             "$type($v)='boolean'?($v?1:0):$error('float() expects a number or a string, "
             "got '&$_tname($v))}",
    # YAQL '/': integer division (floored, as in Python) when both sides are whole numbers.
    "div": "function($a,$b){($a=$floor($a) and $b=$floor($b))?$floor($a/$b):$a/$b}",
    "mod": "function($a,$b){$a-$b*$floor($a/$b)}",
    "add": "function($a,$b){($type($a)='array' and $type($b)='array')?$append($a,$b):"
           "($type($a)='string' and $type($b)='string')?$a&$b:($type($a)='object' and "
           "$type($b)='object')?$merge([$a,$b]):$a+$b}",
    "sub": "function($a,$b){$type($a)='array'?$reduce($a,function($r,$v){$_has($_seq($b,"
           "'-'),$v)?$r:$append($r,$_wrap($v))},[]):$a-$b}",
    "in": "function($x,$c){$type($c)='array'?$_has($c,$x):$type($c)='string'?($type($x)="
          "'string'?$contains($c,$x):$error(\"'in <string>' needs a string on the left\")):"
          "$type($c)='object'?$error(\"'in' does not accept a dict in YAQL; write "
          "dict.containsKey(key)\"):$error(\"'in' expects a list or a string on the right, "
          "got \"&$_tname($c))}",
    "jin": "function($x,$c){$type($c)='object'?$_haskey($c,$x):$_in($x,$c)}",
    "contains": "function($c,$v){$type($c)='string'?$contains($c,$v):$type($c)='array'?"
                "$_has($c,$v):$error('contains() expects a list or a string, got '"
                "&$_tname($c))}",
    "join": "function($a,$b){($type($a)='string' and $type($b)='array')?$join($_map($b,"
            "$_str),$a):$join($_map($a,$_str),$b)}",
    "first": "function($l,$d){$count($_seq($l,'first'))>0?$l[0]:$exists($d)?$d:$error("
             "'first() of an empty list')}",
    "last": "function($l,$d){$count($_seq($l,'last'))>0?$l[-1]:$exists($d)?$d:$error("
            "'last() of an empty list')}",
    "sum": "function($l){$count($_seq($l,'sum'))=0?0:$reduce($l,$_add)}",
    "min": "function($l){$count($_seq($l,'min'))=0?$error('min() of an empty list'):"
           "$reduce($l,function($a,$b){$b<$a?$b:$a})}",
    "max": "function($l){$count($_seq($l,'max'))=0?$error('max() of an empty list'):"
           "$reduce($l,function($a,$b){$b>$a?$b:$a})}",
    "distinct": "function($l){$reduce($_seq($l,'distinct'),function($a,$v){$_has($a,$v)?$a"
                ":$append($a,$_wrap($v))},[])}",
    "flatten": "function($l){$reduce($_seq($l,'flatten'),function($a,$v){$append($a,"
               "$type($v)='array'?$_flatten($v):$_wrap($v))},[])}",
    "startswith": "function($s,$p){$substring($s,0,$length($p))=$p}",
    "endswith": "function($s,$p){$length($p)=0 or ($length($s)>=$length($p) and "
                "$substring($s,$length($s)-$length($p))=$p)}",
    "indexof": "function($c,$v){$type($c)='string'?($contains($c,$v)?$length("
               "$substringBefore($c,$v)):-1):$reduce($_seq($c,'indexOf'),function($a,$x,$i)"
               "{$a>=0?$a:($x=$v?$i:-1)},-1)}",
    "strip": "function($s){$replace($s,/^\\s+|\\s+$/,'')}",
    "split": "function($s,$sep){$exists($sep)?$split($s,$sep):($t:=$_strip($s);$t=''?[]:"
             "$split($t,/\\s+/))}",
    "range": "function($a,$b){$b>$a?[$a..$b-1]:[]}",
    "sort": "function($l){$sort($_seq($l,'sort'))}",
    # $sort with a comparator must not be a lambda's tail call: JSONata 2.0's tail-call
    # optimisation would hand the comparator to $sort unwrapped ("comp is not a function").
    "sortby": "function($l,$f,$desc){($r:=$sort($_seq($l,'orderBy'),function($x,$y){($p:="
              "$f($x);$q:=$f($y);$desc?$p<$q:$p>$q)});$r)}",
    "reverse": "function($v){$type($v)='string'?$join($reverse($split($v,''))):$reverse("
               "$_seq($v,'reverse'))}",
    "todict": "function($l,$fk,$fv){$merge($_map($l,function($v){{$_str($fk($v)):$_nn("
              "$fv($v))}}))}",
    "coalesce": "function($l){$reduce($l,function($a,$v){$a=null?$v:$a},null)}",
    "slice": "function($l,$a,$b){$reduce($_seq($l,'skip'),function($r,$v,$i){($i>=$a and "
             "$i<$b)?$append($r,$_wrap($v)):$r},[])}",
    "tolist": "function($v){$type($v)='array'?$v:$type($v)='string'?$split($v,''):"
              "$type($v)='object'?$_keys($v):$error('list() expects a list, a string or a "
              "dict, got '&$_tname($v))}",
    "capitalize": "function($s){$uppercase($substring($s,0,1))&$lowercase($substring($s,1)"
                  ")}",
    # Parsing JSON or YAML text needs $eval, which Step Functions does not offer: values
    # that are already parsed pass through, blank text is null, other text fails clearly.
    "parse": "function($v,$f){$type($v)!='string'?$v:$trim($v)=''?null:$error($f&'() "
             "cannot parse text in Stepwise; pass the value as JSON data instead')}",
    "uuid": "function(){($h:=function($n){$join($map([1..$n],function(){$substring("
            "'0123456789abcdef',$floor($random()*16),1)}))};$h(8)&'-'&$h(4)&'-4'&$h(3)&'-'"
            "&$substring('89ab',$floor($random()*4),1)&$h(3)&'-'&$h(12))}",
}

_CALLS = re.compile(r"\$_([a-z]+)\b")


def dependencies(name: str) -> list[str]:
    """Helpers called by helper `name` (not transitively)."""
    return list(_dependencies(name))


@functools.lru_cache(maxsize=None)
def _dependencies(name: str) -> tuple[str, ...]:
    return tuple(m for m in dict.fromkeys(_CALLS.findall(HELPERS[name])) if m != name)


def closure(names: set[str]) -> list[str]:
    """`names` and every helper they call, sorted for a stable output."""
    return list(_closure(frozenset(names)))


@functools.lru_cache(maxsize=1024)
def _closure(names: frozenset[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(_dependencies(name))
    return tuple(sorted(seen))


def prelude(names: set[str]) -> str:
    """`$_a:=function...;$_b:=function...;` for `names` and their dependencies."""
    return _prelude(frozenset(names))


@functools.lru_cache(maxsize=1024)
def _prelude(names: frozenset[str]) -> str:
    return "".join(f"$_{name}:={HELPERS[name]};" for name in _closure(names))
