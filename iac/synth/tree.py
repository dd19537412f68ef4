"""The construct tree as data (for `iac tree`): what each node is, and what it becomes in a template.

Every node has its id, path and the class that made it; a template element adds its section kind
and logical id, a resource its type, an asset its file in the assembly. Like the rest of synth, this
knows CfnElements and their kinds, never an AWS service.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import attrs

from iac.errors import UsageError

_CONSTRUCTS_PACKAGE = "iac.constructs."
_CORE_PACKAGE = "iac.constructs.core"


@attrs.frozen(kw_only=True)
class TreeNode:
    """One construct: `kind` is stack, resource, parameter, output, condition, mapping, asset or construct."""

    id: str
    path: str
    kind: str
    #: The class that made it, as a user would write it: "awslambda.Function", "MyService", "Stack".
    construct: str
    resource_type: str | None = None
    logical_id: str | None = None
    #: For a stack, its CloudFormation stack name; for an asset, its file in the assembly.
    detail: str | None = None
    location: str | None = None
    children: tuple[TreeNode, ...] = ()

    @property
    def resource_count(self) -> int:
        """Resources at and below this node."""
        return (self.kind == "resource") + sum(child.resource_count for child in self.children)


def construct_tree(root: Any) -> list[TreeNode]:
    """The trees below `root` (an App): one per child, children in creation order."""
    return [_node(child) for child in root.children]


def _node(construct: Any) -> TreeNode:
    kind, resource_type, logical_id, detail = _describe(construct)
    return TreeNode(
        id=construct.id,
        path=construct.path,
        kind=kind,
        construct=construct_label(type(construct)),
        resource_type=resource_type,
        logical_id=logical_id,
        detail=detail,
        location=str(construct.location) if construct.location else None,
        children=tuple(_node(child) for child in construct.children),
    )


def _describe(construct: Any) -> tuple[str, str | None, str | None, str | None]:
    if getattr(construct, "is_stack", False):
        return "stack", None, None, construct.stack_name
    if getattr(construct, "is_asset", False):
        return "asset", None, None, construct.file_name
    kind = getattr(construct, "element_kind", None)
    if kind is None:
        return "construct", None, None, None
    return kind, getattr(construct, "resource_type", None), construct.logical_id, None


def construct_label(cls: type) -> str:
    """`awslambda.Function` for iac's service constructs, the bare class name otherwise."""
    module = cls.__module__
    if module.startswith(_CONSTRUCTS_PACKAGE) and not module.startswith(_CORE_PACKAGE):
        return f"{module[len(_CONSTRUCTS_PACKAGE):].split('.')[0]}.{cls.__name__}"
    return cls.__name__


def select_tree(trees: list[TreeNode], patterns: tuple[str, ...]) -> list[TreeNode]:
    """The trees pruned to the stacks matching any pattern (name, stack name or glob) and what holds them.

    Raises UsageError naming the stacks when a pattern matches none.
    """
    if not patterns:
        return trees
    stacks = [node for tree in trees for node in _walk(tree) if node.kind == "stack"]
    for pattern in patterns:
        if not any(_stack_matches(node, pattern) for node in stacks):
            known = ", ".join(_artifact_id(node) for node in stacks) or "none"
            raise UsageError(f"no stack matches {pattern!r} (stacks: {known})")
    kept = []
    for tree in trees:
        pruned = _prune(tree, patterns)
        if pruned is not None:
            kept.append(pruned)
    return kept


def _prune(node: TreeNode, patterns: tuple[str, ...]) -> TreeNode | None:
    if node.kind == "stack":
        return node if any(_stack_matches(node, p) for p in patterns) else None
    children = tuple(kept for child in node.children if (kept := _prune(child, patterns)) is not None)
    return attrs.evolve(node, children=children) if children else None


def _stack_matches(node: TreeNode, pattern: str) -> bool:
    return fnmatch.fnmatchcase(_artifact_id(node), pattern) or fnmatch.fnmatchcase(node.detail or "", pattern)


def _artifact_id(node: TreeNode) -> str:
    return node.path.replace("/", "-")


def _walk(node: TreeNode) -> list[TreeNode]:
    found = [node]
    for child in node.children:
        found.extend(_walk(child))
    return found
