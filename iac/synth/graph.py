"""Cycles in a dependency graph, found in linear time (Tarjan's strongly connected components)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)  # anything a graph's nodes can be: ids, paths, stacks


def find_cycles(edges: Mapping[str, Sequence[str] | set[str]]) -> list[list[str]]:
    """Each cycle as the list of nodes along it, first node repeated at the end: [A, B, A].

    One cycle is reported per strongly connected component (self-loops included); nodes appear in
    the order of `edges` so reports are deterministic.
    """
    order = {node: position for position, node in enumerate(edges)}
    components = _strongly_connected(edges, order)
    cycles = []
    for component in components:
        if len(component) == 1:
            node = component[0]
            if node in edges.get(node, ()):
                cycles.append([node, node])
            continue
        members = set(component)
        start = min(component, key=order.__getitem__)
        cycles.append(_path_back(start, members, edges, order))
    cycles.sort(key=lambda cycle: order[cycle[0]])
    return cycles


def _strongly_connected(edges: Mapping[str, Sequence[str] | set[str]], order: dict[str, int]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(_sorted_targets(root, edges, order)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            advanced = False
            for target in targets:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(_sorted_targets(target, edges, order))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _sorted_targets(node: Node, edges: Mapping[Node, Sequence[Node] | set[Node]], order: dict[Node, int]) -> list[Node]:
    targets = edges.get(node, ())
    if len(targets) <= 1:  # most resources need one other or none: no sort to set up
        return [target for target in targets if target in order]
    return sorted((t for t in targets if t in order), key=order.__getitem__)


def _path_back(start: str, members: set[str], edges: Mapping[str, Sequence[str] | set[str]],
               order: dict[str, int]) -> list[str]:
    """Shortest path start -> ... -> start inside one component (breadth first)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in _sorted_targets(node, edges, order):
            if target not in members:
                continue
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                path.reverse()
                return path + [start]
            if target not in previous:
                previous[target] = node
                queue.append(target)
    return [start, start]  # pragma: no cover - a component always has a way back


def topological_order(edges: Mapping[Node, Sequence[Node] | set[Node]]) -> list[Node]:
    """Nodes with their dependencies first (edges point from a node to what it needs).

    Ties keep the order of `edges`; call only on acyclic graphs.
    """
    order = {node: position for position, node in enumerate(edges)}
    done: set[Node] = set()
    result: list[Node] = []
    for root in edges:
        if root in done:
            continue
        work = [(root, iter(_sorted_targets(root, edges, order)))]
        done.add(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in done:
                    done.add(target)
                    work.append((target, iter(_sorted_targets(target, edges, order))))
                    break
            else:
                work.pop()
                result.append(node)
    return result
