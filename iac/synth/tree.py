"""The construct tree as data (for `iac tree`): what each node is, and what it becomes in a template.

Every node has its id, path and the class that made it; a template element adds its section kind
and logical id, a resource its type, an asset its file in the assembly. Like the rest of synth, this
knows CfnElements and their kinds, never an AWS service.
"""

from __future__ import annotations

from typing import Any

import attrs

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


def stack_nodes(trees: list[TreeNode]) -> list[TreeNode]:
    """Every stack in the trees, in tree order (the CLI chooses among them by its selection rules)."""
    return [node for tree in trees for node in _walk(tree) if node.kind == "stack"]


def keep_stacks(trees: list[TreeNode], paths: set[str]) -> list[TreeNode]:
    """The trees pruned to the stacks at `paths` and the constructs that hold them."""
    return [pruned for tree in trees if (pruned := _prune(tree, paths)) is not None]


def _prune(node: TreeNode, paths: set[str]) -> TreeNode | None:
    if node.kind == "stack":
        return node if node.path in paths else None
    children = tuple(kept for child in node.children if (kept := _prune(child, paths)) is not None)
    return attrs.evolve(node, children=children) if children else None


def _walk(node: TreeNode) -> list[TreeNode]:
    found = [node]
    for child in node.children:
        found.extend(_walk(child))
    return found
