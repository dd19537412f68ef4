"""`iac init`: a new project from a template, ready for `iac synth` and `pytest`."""

from __future__ import annotations

import os
import shlex
import sys
import textwrap

import click

from iac.cli.common import handle_errors
from iac.cli.install_source import InstallSource, install_source
from iac.cli.project_templates import (
    available_templates,
    check_project_name,
    check_target,
    find_template,
    render_project,
    write_project,
)
from iac.cli.report import Painter, use_color


@click.command(short_help="Create a project from a template (with no TEMPLATE: list them).")
@click.argument("template", required=False, metavar="[TEMPLATE]")
@click.argument("directory", required=False, metavar="[DIR]", type=click.Path(file_okay=False))
@click.option("--name", metavar="NAME",
              help="Project name (default: DIR's name); CamelCase, it also names the stack.")
@click.option("--force", is_flag=True,
              help="Write into a non-empty DIR (files the template makes are overwritten, others kept).")
@handle_errors
def init(template: str | None, directory: str | None, name: str | None, force: bool) -> None:
    """Create a project from a template: app.py, tests using iac.testing, pyproject.toml, README.md
    and .gitignore.

    With no TEMPLATE, list the templates. DIR (default: the current directory) must be empty or
    not exist yet. The project name (letters, digits, '-' and '_') names the Python project and, in
    CamelCase, the stack.

    \b
    Examples:
      iac init                               list the templates
      iac init serverless-api demo           create demo/ from serverless-api
      iac init empty                         a minimal app in the current (empty) directory
      iac init serverless-api svc --name orders-api
    """
    paint = Painter(use_color(sys.stdout))
    if template is None:
        _list_templates(paint)
        return
    chosen = find_template(template)
    target = directory or "."
    project = check_project_name(name, from_directory=False) if name else check_project_name(
        os.path.basename(os.path.abspath(target)), from_directory=True)
    existing = check_target(target, force=force)
    source = install_source()
    files = render_project(chosen, project, source=source)
    written = write_project(files, target)
    shown = "the current directory" if os.path.abspath(target) == os.getcwd() else f"{target.rstrip('/')}/"
    click.echo(paint(f"Created {project} in {shown} from the {chosen.name} template:", bold=True))
    for relative, replaced in written:
        click.echo(f"  {relative}" + ("  (overwritten)" if replaced else ""))
    if existing and not any(replaced for _, replaced in written):
        click.echo(f"  (left {len(existing)} existing entr{'ies' if len(existing) != 1 else 'y'} alone)")
    click.echo("\n" + paint("Next:", bold=True))
    steps = ([] if shown == "the current directory" else [(f"cd {target}", "")]) + [
        ("iac synth", "run app.py, validate, write the templates to iac.out/"),
        ("iac tree", "the constructs and the resources they make"),
        ("python -m pytest", "run the tests in tests/ (no AWS account needed)"),
    ]
    width = max(len(command) for command, _ in steps)
    for command, what in steps:
        click.echo(f"  {command:<{width}}  {paint(what, dim=True)}".rstrip())
    _explain_requirement(paint, source)


def _explain_requirement(paint: Painter, source: InstallSource) -> None:
    """Which iac the project's pyproject.toml requires, and why: it must install on the next machine too."""
    click.echo("\n" + paint("pyproject.toml requires ", bold=True) + paint(source.requirement, fg="cyan"))
    said = [f"{source.reason}."]
    if source.editable:
        said.append(f'`pip install -e ".[test]"` installs a copy of it; `pip install -e '
                    f'{shlex.quote(source.location or "")}` afterwards keeps your edits to iac live.')
    if not source.portable:
        said.append("Another machine (CI, a colleague, a pipeline's build) needs iac's wheel on your package "
                    "index or in the project's wheels/ folder: README.md says how.")
    for paragraph in said:
        click.echo(textwrap.fill(paragraph, width=100, initial_indent="  ", subsequent_indent="  ",
                                 break_on_hyphens=False, break_long_words=False))


def _list_templates(paint: Painter) -> None:
    templates = available_templates()
    click.echo(paint("Project templates", bold=True) + " (iac init TEMPLATE [DIR]):")
    width = max((len(t.name) for t in templates), default=0)
    for template in templates:
        click.echo(f"  {paint(template.name.ljust(width), fg='cyan')}  {template.description}")
