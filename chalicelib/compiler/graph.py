"""Graph facts the lowering pass needs, computed once per workflow.

Takes a validated `Workflow` (a reverse workflow is first rewritten as the equivalent direct
one by `reverse_to_direct`); gives a `Graph`: successors of every task, the inbound tasks of
every join, and for every join the task whose completion starts the region that owns it
(the nearest common dominator of its inbound tasks, or ROOT for the start of the workflow).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from chalicelib.errors import InvalidDefinition, Problem
from chalicelib.language.model import Task, Transition, Workflow


ROOT = "\x00root"


def reverse_to_direct(workflow: Workflow, targets: list[str] | None = None) -> Workflow:
    """A reverse workflow as the direct workflow Mistral would run for `targets`.

    Only the targets' transitive `requires` run; each requirement transitions to the tasks
    that need it, and a task with several requirements joins them all.
    """
    tasks = workflow.tasks
    unknown = [name for name in targets or () if name not in tasks]
    if unknown:
        where = workflow.position
        raise InvalidDefinition([Problem(
            where.line, where.column,
            f"workflow '{workflow.name}' has no task named '{unknown[0]}' to target",
            path=workflow.name, key=unknown[0],
            fix=f"choose one of: {', '.join(tasks)}")])
    if not targets:
        required = {r for t in tasks.values() for r in t.requires}
        targets = [name for name in tasks if name not in required]
    needed: list[str] = []
    stack = list(reversed(targets))
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.append(name)
        stack.extend(reversed(tasks[name].requires))
    order = [name for name in tasks if name in needed]
    dependants: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for req in tasks[name].requires:
            dependants[req].append(name)
    rewritten = {}
    for name in order:
        task = tasks[name]
        on_success = tuple(Transition(target=d, position=task.position) for d in dependants[name])
        join = "all" if len(set(task.requires)) > 1 else None
        rewritten[name] = replace(task, on_success=on_success, on_error=(), on_complete=(),
                                  join=join, requires=())
    return replace(workflow, type="direct", tasks=rewritten)


def transitions(task: Task) -> tuple[Transition, ...]:
    return (*task.on_success, *task.on_error, *task.on_complete)


@dataclass
class Graph:
    workflow: Workflow
    successors: dict[str, list[str]] = field(default_factory=dict)
    inbound: dict[str, list[str]] = field(default_factory=dict)  # join -> inbound tasks
    owner: dict[str, str] = field(default_factory=dict)  # join -> owning task or ROOT
    owned: dict[str, list[str]] = field(default_factory=dict)  # owner -> joins, document order
    stages: dict[str, list[list[str]]] = field(default_factory=dict)  # owner -> joins by stage
    # join -> arrivals it needs, for `join: N` / `join: one` joins that can fire before all
    # their inbound tasks arrived (they count arrivals as they happen; see `early_joins`)
    early: dict[str, int] = field(default_factory=dict)
    reach: dict[str, int] = field(default_factory=dict)  # node -> bitset of reachable nodes
    index: dict[str, int] = field(default_factory=dict)  # node -> its bit
    nodes: list[str] = field(default_factory=list)  # bit -> node

    def leads(self, a: str, b: str) -> bool:
        """True when some path of transitions goes from task `a` to task `b`."""
        return bool(self.reach.get(a, 0) >> self.index.get(b, -1) & 1) if b in self.index else False

    @property
    def joins(self) -> list[str]:
        return list(self.inbound)


def analyse(workflow: Workflow) -> Graph:
    graph = Graph(workflow)
    tasks = workflow.tasks
    for name, task in tasks.items():
        graph.successors[name] = list(dict.fromkeys(
            t.target for t in transitions(task) if not t.is_command))
    for name, task in tasks.items():
        if task.join is not None:
            graph.inbound[name] = []
    for src in tasks:
        for nxt in graph.successors[src]:
            if nxt in graph.inbound:
                graph.inbound[nxt].append(src)
    for join, inbound in graph.inbound.items():
        spec = tasks[join].join
        if spec != "all" and int(spec) < len(inbound):
            graph.early[join] = int(spec)
    starts = workflow.start_tasks()
    graph.successors[ROOT] = starts
    graph.index = {node: i for i, node in enumerate(graph.successors)}
    graph.nodes = list(graph.successors)
    graph.reach = _reach_bits(graph.successors, ROOT)
    idom = _dominators(graph.successors, ROOT)
    for join, inbound in graph.inbound.items():
        reachable = [t for t in inbound if t in idom]
        if join not in idom:
            continue  # never reached: nothing to place
        owner = _common_dominator(idom, reachable) if reachable else idom[join]
        graph.owner[join] = owner
        graph.owned.setdefault(owner, []).append(join)
    _join_stages(graph)
    return graph


def _join_stages(graph: Graph) -> None:
    """Order the joins of each region: a join that another join of the region leads to is
    checked in a later stage, after that join's thread has run and arrived at it."""
    # a join led to by exactly one other join of its region moves into that join's region:
    # it is then checked right where that join's thread arrives, with no extra stage
    reached_by = _reached_by(graph)
    # an early join runs inside the branch of its N-th arrival, where the arrivals of the
    # region's other branches are not known: it neither moves nor leads a move
    early = sum(1 << graph.index[j] for j in graph.early if j in graph.index)
    pending = [owner for owner, joins in graph.owned.items() if len(joins) > 1]
    while pending:
        owner = pending.pop()
        joins = graph.owned.get(owner, [])
        mask = sum(1 << graph.index[j] for j in joins) & ~early
        moves = {}
        for join in joins:
            if join in graph.early:
                continue
            led_by = reached_by.get(join, 0) & mask & ~graph.reach.get(join, 0)
            led_by &= ~(1 << graph.index[join])
            if led_by and led_by & (led_by - 1) == 0:  # exactly one leader
                moves[join] = graph.nodes[led_by.bit_length() - 1]
        if not moves:
            continue
        graph.owned[owner] = [j for j in joins if j not in moves]
        for join, leader in moves.items():
            graph.owner[join] = leader
            graph.owned.setdefault(leader, []).append(join)
            if len(graph.owned[leader]) > 1 and leader not in pending:
                pending.append(leader)
    graph.owned = {owner: joins for owner, joins in graph.owned.items() if joins}
    order = {node: i for i, node in enumerate(_reverse_postorder(graph.successors, ROOT))}
    for owner, joins in graph.owned.items():
        if len(joins) == 1:
            graph.stages[owner] = [joins]
            continue
        # a join's stage is one more than that of the latest join of the region leading to
        # it; joins are visited so that every leader comes first
        mask = sum(1 << graph.index[j] for j in joins)
        levels: list[int] = []  # stage -> bitset of its joins
        stage: dict[str, int] = {}
        for join in sorted(joins, key=order.__getitem__):
            led_by = reached_by.get(join, 0) & mask & ~graph.reach.get(join, 0)
            led_by &= ~(1 << graph.index[join])
            level = next((n + 1 for n in range(len(levels) - 1, -1, -1) if levels[n] & led_by),
                         0)
            if level == len(levels):
                levels.append(0)
            levels[level] |= 1 << graph.index[join]
            stage[join] = level
        graph.stages[owner] = [[j for j in joins if stage[j] == n] for n in range(len(levels))]


def _reached_by(graph: Graph) -> dict[str, int]:
    """For every node, a bitset of the nodes from which it can be reached (reachability on
    the reversed graph; node bits as in `graph.index`)."""
    reverse: dict[str, list[str]] = {node: [] for node in graph.successors}
    for node, nexts in graph.successors.items():
        for nxt in nexts:
            reverse[nxt].append(node)
    top = "\x00every"
    reverse[top] = list(graph.successors)
    return _reach_bits(reverse, top)


def _reach_bits(successors: dict[str, list[str]], root: str) -> dict[str, int]:
    """For every node, a bitset of the nodes reachable from it (one or more passes in
    postorder; loops need a pass per nesting level)."""
    index = {node: i for i, node in enumerate(successors)}
    order = _reverse_postorder(successors, root)[::-1]
    reach = {node: 0 for node in order}
    changed = True
    while changed:
        changed = False
        for node in order:
            value = reach[node]
            for nxt in successors.get(node, []):
                value |= (1 << index[nxt]) | reach.get(nxt, 0)
            if value != reach[node]:
                reach[node] = value
                changed = True
    return reach


def _reachable(successors: dict[str, list[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(successors.get(start, []))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(successors.get(node, []))
    return seen


def _reverse_postorder(successors: dict[str, list[str]], root: str) -> list[str]:
    seen: set[str] = set()
    order: list[str] = []
    stack: list[tuple[str, int]] = [(root, 0)]
    seen.add(root)
    while stack:
        node, index = stack.pop()
        succ = successors.get(node, [])
        if index < len(succ):
            stack.append((node, index + 1))
            nxt = succ[index]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, 0))
        else:
            order.append(node)
    return order[::-1]


def _dominators(successors: dict[str, list[str]], root: str) -> dict[str, str]:
    """Immediate dominators (iterative algorithm over reverse postorder)."""
    order = _reverse_postorder(successors, root)
    index = {node: i for i, node in enumerate(order)}
    preds: dict[str, list[str]] = {node: [] for node in order}
    for node in order:
        for nxt in successors.get(node, []):
            if nxt in preds:
                preds[nxt].append(node)
    idom = {root: root}
    changed = True
    while changed:
        changed = False
        for node in order[1:]:
            candidates = [p for p in preds[node] if p in idom]
            new = candidates[0]
            for other in candidates[1:]:
                new = _intersect(idom, index, new, other)
            if idom.get(node) != new:
                idom[node] = new
                changed = True
    return idom


def _intersect(idom: dict[str, str], index: dict[str, int], a: str, b: str) -> str:
    while a != b:
        while index[a] > index[b]:
            a = idom[a]
        while index[b] > index[a]:
            b = idom[b]
    return a


def _ancestors(idom: dict[str, str], node: str) -> list[str]:
    chain = [node]
    while node != idom[node]:
        node = idom[node]
        chain.append(node)
    return chain


def _common_dominator(idom: dict[str, str], nodes: list[str]) -> str:
    """Nearest strict-or-equal common dominator of `nodes`."""
    common = _ancestors(idom, nodes[0])
    for node in nodes[1:]:
        mine = set(_ancestors(idom, node))
        common = [c for c in common if c in mine]
    return common[0]
