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
    successors, inbound = graph.successors, graph.inbound
    for name, task in tasks.items():
        items = task.on_success
        if task.on_error or task.on_complete:
            items = (*items, *task.on_error, *task.on_complete)
        targets = [t.target for t in items if not t.is_command]
        # each target once, in the order first named (one target is always unique)
        successors[name] = list(dict.fromkeys(targets)) if len(targets) > 1 else targets
        if task.join is not None:
            inbound[name] = []
    if inbound:
        for src, nexts in successors.items():
            for nxt in nexts:
                if nxt in inbound:
                    inbound[nxt].append(src)
        for join, sources in inbound.items():
            spec = tasks[join].join
            if spec != "all" and int(spec) < len(sources):
                graph.early[join] = int(spec)
    successors[ROOT] = workflow.start_tasks()
    # the analysis itself works on node numbers: node i is bit i of every bitset
    nodes = graph.nodes = list(successors)
    index = graph.index = {node: i for i, node in enumerate(nodes)}
    succ = [[index[nxt] for nxt in successors[node]] for node in nodes]
    root = index[ROOT]
    order, cyclic = _depth_first(succ, root)
    preds: list[list[int]] = [[] for _ in nodes]
    for node in order:
        for nxt in succ[node]:
            preds[nxt].append(node)
    postorder = order[::-1]
    reach = _reach_bits(succ, postorder, cyclic)
    graph.reach = {nodes[i]: reach[i] for i in postorder}
    if not inbound:
        return graph
    position = [-1] * len(nodes)  # reverse-postorder number; -1: not reached from ROOT
    for number, node in enumerate(order):
        position[node] = number
    idom = _dominators(preds, order, position, cyclic)
    for join, sources in inbound.items():
        j = index[join]
        if position[j] < 0:
            continue  # never reached: nothing to place
        reached = [index[t] for t in sources if position[index[t]] >= 0]
        owner = idom[j] if not reached else reached[0]
        for other in reached[1:]:
            owner = _intersect(idom, position, owner, other)
        graph.owner[join] = nodes[owner]
        graph.owned.setdefault(nodes[owner], []).append(join)
    _join_stages(graph, _reach_bits(preds, order, cyclic), position)
    return graph


def _join_stages(graph: Graph, reached_by: list[int], position: list[int]) -> None:
    """Order the joins of each region: a join that another join of the region leads to is
    checked in a later stage, after that join's thread has run and arrived at it.

    `reached_by[i]` is the bitset of the nodes that lead to node i; `position` numbers the
    nodes in reverse postorder."""
    index = graph.index
    # a join led to by exactly one other join of its region moves into that join's region:
    # it is then checked right where that join's thread arrives, with no extra stage
    # an early join runs inside the branch of its N-th arrival, where the arrivals of the
    # region's other branches are not known: it neither moves nor leads a move
    early = sum(1 << index[j] for j in graph.early if j in index)
    pending = [owner for owner, joins in graph.owned.items() if len(joins) > 1]
    while pending:
        owner = pending.pop()
        joins = graph.owned.get(owner, [])
        mask = sum(1 << index[j] for j in joins) & ~early
        moves = {}
        for join in joins:
            if join in graph.early:
                continue
            led_by = reached_by[index[join]] & mask & ~graph.reach.get(join, 0)
            led_by &= ~(1 << index[join])
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
    for owner, joins in graph.owned.items():
        if len(joins) == 1:
            graph.stages[owner] = [joins]
            continue
        # a join's stage is one more than that of the latest join of the region leading to
        # it; joins are visited so that every leader comes first
        mask = sum(1 << index[j] for j in joins)
        levels: list[int] = []  # stage -> bitset of its joins
        stage: dict[str, int] = {}
        for join in sorted(joins, key=lambda j: position[index[j]]):
            led_by = reached_by[index[join]] & mask & ~graph.reach.get(join, 0)
            led_by &= ~(1 << index[join])
            level = next((n + 1 for n in range(len(levels) - 1, -1, -1) if levels[n] & led_by),
                         0)
            if level == len(levels):
                levels.append(0)
            levels[level] |= 1 << index[join]
            stage[join] = level
        graph.stages[owner] = [[j for j in joins if stage[j] == n] for n in range(len(levels))]


def _depth_first(succ: list[list[int]], root: int) -> tuple[list[int], bool]:
    """The nodes reached from `root` in reverse postorder, and whether a cycle was met."""
    state = [0] * len(succ)  # 0: not seen, 1: on the path being explored, 2: finished
    state[root] = 1
    postorder: list[int] = []
    cyclic = False
    stack = [(root, 0)]
    while stack:
        node, i = stack.pop()
        nexts = succ[node]
        if i < len(nexts):
            stack.append((node, i + 1))
            nxt = nexts[i]
            seen = state[nxt]
            if not seen:
                state[nxt] = 1
                stack.append((nxt, 0))
            elif seen == 1:
                cyclic = True
        else:
            state[node] = 2
            postorder.append(node)
    return postorder[::-1], cyclic


def _reach_bits(edges: list[list[int]], order: list[int], cyclic: bool) -> list[int]:
    """For every node, the bitset of the nodes it reaches along `edges`, visiting `order`
    (each node after the nodes its edges lead to when the graph has no cycle: one pass is
    then enough; loops need a pass per nesting level)."""
    bits = [1 << i for i in range(len(edges))]
    reach = [0] * len(edges)
    changed = True
    while changed:
        changed = False
        for node in order:
            value = reach[node]
            for nxt in edges[node]:
                value |= bits[nxt] | reach[nxt]
            if value != reach[node]:
                reach[node] = value
                changed = cyclic
    return reach


def _dominators(preds: list[list[int]], order: list[int], position: list[int],
                cyclic: bool) -> list[int]:
    """Immediate dominators (iterative algorithm over reverse postorder; one pass when the
    graph has no cycle, as every predecessor then comes first); -1 for unreached nodes."""
    root = order[0]
    idom = [-1] * len(preds)
    idom[root] = root
    changed = True
    while changed:
        changed = False
        for node in order[1:]:
            new = -1
            for pred in preds[node]:
                if idom[pred] < 0:
                    continue
                new = pred if new < 0 else _intersect(idom, position, new, pred)
            if idom[node] != new:
                idom[node] = new
                changed = cyclic
    return idom


def _intersect(idom: list[int], position: list[int], a: int, b: int) -> int:
    """The nearest common dominator of `a` and `b` (either one itself when it dominates)."""
    while a != b:
        while position[a] > position[b]:
            a = idom[a]
        while position[b] > position[a]:
            b = idom[b]
    return a
