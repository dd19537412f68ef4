"""`iac import`: a CloudFormation or SAM template -> an iac app, with the round trip proved (iac.importer)."""

from __future__ import annotations

import os
import sys
import tempfile

import click

from iac.cli.common import EXIT_VALIDATION, handle_errors
from iac.constructs.core.source import display_path
from iac.errors import UsageError


@click.command("import", short_help="Turn a CloudFormation or SAM template into an iac app (app.py).")
@click.argument("template", metavar="TEMPLATE", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default="app.py", show_default=True, metavar="FILE",
              help="The app to write ('-' prints it); with --check, the app to compare.")
@click.option("--stack-name", metavar="NAME", help="The stack's name (default: from TEMPLATE's file name).")
@click.option("--check", is_flag=True,
              help="Write nothing: compare what the app at --output synthesizes with TEMPLATE.")
@click.option("--force", is_flag=True, help="Replace --output if it exists.")
@handle_errors
def import_(template: str, output: str, stack_name: str | None, check: bool, force: bool) -> None:
    """Write an iac app whose stack synthesizes to TEMPLATE, then prove it.

    TEMPLATE is JSON or YAML (short-form tags allowed). The app has one typed L1 class per resource
    (iac.cfn), the template's logical ids kept exactly, references on variables, Parameters,
    Conditions, Mappings, Outputs, Metadata and the Transform. After writing, the app is synthesized
    and compared with TEMPLATE (key order, short and long intrinsic forms and numbers written as
    strings do not count): exit 1 and the differences when they are not the same.

    \b
    Examples:
      iac import template.yaml                       write app.py
      iac import sam.yaml -o app.py --stack-name Orders --force
      iac import template.yaml --check               is app.py still the same template?
    """
    from iac.importer import differences, generate, read_template, stack_name_from, synthesized_template

    loaded = read_template(template)
    if check:
        if output == "-" or not os.path.isfile(output):
            raise UsageError(f"--check compares an existing app: {output} is not a file",
                             hint="name the app with -o FILE")
        found = differences(loaded, synthesized_template(output, stack_name))
        _conclude(found, template, output)
        return
    name = stack_name or stack_name_from(template)
    _check_stack_name(name)
    source = generate(loaded, stack_name=name, source=display_path(template))
    if output == "-":
        with tempfile.TemporaryDirectory(prefix="iac-import-") as folder:
            path = os.path.join(folder, "app.py")
            _write(path, source)
            found = differences(loaded, synthesized_template(path))
        click.echo(source, nl=False)
        _conclude(found, template, None)
        return
    if os.path.exists(output) and not force:
        raise UsageError(f"{output} exists", hint="pass --force to replace it, or -o another file")
    _write(output, source)
    resources = len(loaded.get("Resources") or {})
    click.echo(f"Wrote {display_path(output)}: stack {name}, {resources} resource{'s' if resources != 1 else ''}")
    _conclude(differences(loaded, synthesized_template(output)), template, output)


def _check_stack_name(name: str) -> None:
    from iac.specs import stack_name_pattern, stack_name_rule

    if not stack_name_pattern().match(name):
        raise UsageError(f"stack name {name!r} is invalid: {stack_name_rule().why}", hint="pass --stack-name NAME")


def _write(path: str, source: str) -> None:
    """Write `source` whole or not at all."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".iac-import-", suffix=".py")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(source)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _conclude(found: list[str], template: str, output: str | None) -> None:
    from iac.importer.roundtrip import report

    app = display_path(output) if output else "the app"
    if not found:
        click.echo(f"Round trip holds: {app} synthesizes to {display_path(template)} (normalized)", err=output is None)
        return
    count = len(found)
    click.echo(f"Round trip fails: {app} synthesizes a template that differs from {display_path(template)} in "
               f"{count} place{'s' if count != 1 else ''}:\n{report(found)}", err=True)
    sys.exit(EXIT_VALIDATION)
