"""`iac ls` and `iac tree`: what the app holds, without validating or writing anything."""

from __future__ import annotations

import sys

import click

from iac.cli.app_loader import discover_app_spec, load_app
from iac.cli.common import app_option, handle_errors, load_assembly
from iac.cli.report import Painter, use_color
from iac.cli.selection import StackNames, select, select_stacks
from iac.synth import StackArtifact
from iac.synth.phases import Phases
from iac.synth.tree import TreeNode, construct_tree, keep_stacks, stack_nodes

_BRANCH, _LAST, _PIPE, _SPACE = "├── ", "└── ", "│   ", "    "
_ASSET_HASH_SHOWN = 12


# -- iac ls -----------------------------------------------------------------------------------------


@click.command(name="ls", short_help="List the stacks; --long adds their resources and dependencies.")
@click.argument("stacks", nargs=-1, metavar="[STACK...]")
@app_option
@click.option("--long", "-l", "long_", is_flag=True,
              help="Also show each stack's resource count and dependencies, and each resource's logical id, "
                   "type and construct path.")
@handle_errors
def list_stacks(stacks: tuple[str, ...], app_spec: str | None, long_: bool) -> None:
    """List the app's stacks, dependencies first.

    STACK selects stacks by name, CloudFormation stack name or construct path (globs allowed).
    Nothing is validated or written.

    \b
    Examples:
      iac ls
      iac ls --long
      iac ls 'Service*' -l --app samples/hello/app.py
    """
    _, assembly = load_assembly(app_spec, None, Phases())
    selected = select_stacks(assembly, stacks)
    if not long_:
        for artifact in selected:
            click.echo(artifact.name)
        return
    paint = Painter(use_color(sys.stdout))
    click.echo("\n\n".join(_long_listing(artifact, paint) for artifact in selected))


def _long_listing(artifact: StackArtifact, paint: Painter) -> str:
    count = artifact.resource_count
    facts = [f"{count} resource{'s' if count != 1 else ''}"]
    if artifact.stack_name != artifact.name:
        facts.append(f"stack name {artifact.stack_name}")
    if artifact.region or artifact.account:
        facts.append("in " + "/".join(part for part in (artifact.account, artifact.region) if part))
    if artifact.dependencies:
        facts.append(f"depends on {', '.join(artifact.dependencies)}")
    lines = [paint(artifact.name, bold=True) + "  " + ", ".join(facts)]
    rows = []
    for logical_id, entry in (artifact.template.get("Resources") or {}).items():
        path = artifact.origins.get(("Resources", logical_id), ("", None))[0] or ""
        rows.append((logical_id, str(entry.get("Type", "")), path))
    if rows:
        id_width = max(len(row[0]) for row in rows)
        type_width = max(len(row[1]) for row in rows)
        for logical_id, type_, path in rows:
            lines.append(f"  {paint(logical_id.ljust(id_width), fg='green')}  "
                         f"{paint(type_.ljust(type_width), fg='cyan')}  {path}".rstrip())
    return "\n".join(lines)


# -- iac tree ---------------------------------------------------------------------------------------


@click.command(short_help="Show the construct tree, with resource types and logical ids.")
@click.argument("stacks", nargs=-1, metavar="[STACK...]")
@app_option
@click.option("--locations", is_flag=True, help="Show the file:line of your code that created each construct.")
@handle_errors
def tree(stacks: tuple[str, ...], app_spec: str | None, locations: bool) -> None:
    """Show the construct tree: every construct, and the resource type and logical id of what each
    one puts in a template.

    STACK shows only the stacks it names (name, CloudFormation stack name or construct path; globs
    allowed). Nothing is validated or written.

    \b
    Examples:
      iac tree
      iac tree Network
      iac tree --locations --app samples/serverless_api/app.py
    """
    app = load_app(discover_app_spec(app_spec))
    trees = construct_tree(app)
    if stacks:
        chosen = select(stack_nodes(trees), stacks, names=_node_names)
        trees = keep_stacks(trees, {node.path for node in chosen})
    if not trees:
        click.echo("(the app has no constructs)")
        return
    click.echo(render_tree(trees, color=use_color(sys.stdout), locations=locations))


def _node_names(node: TreeNode) -> StackNames:
    """A stack node's names, as its artifact in the assembly has them."""
    return StackNames(name=node.path.replace("/", "-"), stack_name=node.detail or node.path, path=node.path)


def render_tree(trees: list[TreeNode], *, color: bool = False, locations: bool = False) -> str:
    """The trees drawn with box characters, in aligned columns: id, what it is, logical id (, file:line)."""
    rows: list[tuple[str, TreeNode]] = []
    for tree in trees:
        _rows(tree, "", "", rows)
    paint = Painter(color)
    cells = [(prefix, node, _what(node), node.logical_id or "", (node.location or "") if locations else "")
             for prefix, node in rows]
    name_width = max(len(prefix) + len(node.id) for prefix, node, *_ in cells)
    what_width = max(len(what) for _, _, what, _, _ in cells)
    id_width = max(len(logical_id) for _, _, _, logical_id, _ in cells)
    lines = []
    for prefix, node, what, logical_id, location in cells:
        line = paint(prefix, dim=True) + (paint(node.id, bold=True) if node.kind == "stack" else node.id)
        line += " " * (name_width - len(prefix) - len(node.id))
        what_style = {"fg": "cyan"} if node.kind == "resource" else {"bold": True} if node.kind == "stack" else {}
        columns = [(what, what_width, what_style), (logical_id, id_width, {"fg": "green"}),
                   (location, 0, {"dim": True})]
        while columns and not columns[-1][0]:
            columns.pop()
        for text, width, style in columns:
            line += "  " + (paint(text, **style) if text else "") + " " * (width - len(text))
        lines.append(line.rstrip())
    return "\n".join(lines)


def _rows(node: TreeNode, prefix: str, child_prefix: str, rows: list[tuple[str, TreeNode]]) -> None:
    rows.append((prefix, node))
    for index, child in enumerate(node.children):
        last = index == len(node.children) - 1
        _rows(child, child_prefix + (_LAST if last else _BRANCH), child_prefix + (_SPACE if last else _PIPE), rows)


def _what(node: TreeNode) -> str:
    """What a node is: a resource's type, an element's kind, a construct's class."""
    if node.kind == "stack":
        count = node.resource_count
        return f"Stack ({count} resource{'s' if count != 1 else ''})"
    if node.kind == "resource":
        return node.resource_type or ""
    if node.kind == "asset":
        name = node.detail or ""
        return f"Asset {name[:6 + _ASSET_HASH_SHOWN]}…" if len(name) > 6 + _ASSET_HASH_SHOWN else f"Asset {name}"
    if node.kind in ("parameter", "output", "condition", "mapping"):
        return node.kind.capitalize()
    return "" if node.construct == "Construct" else node.construct
