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
@click.argument("template", metavar="[TEMPLATE]", type=click.Path(dir_okay=False), required=False)
@click.option("--stack", "deployed", metavar="NAME",
              help="Import a deployed stack instead: its original template (GetTemplate) and parameter values "
                   "(needs the deploy extra).")
@click.option("--region", default=None, metavar="REGION", help="The deployed stack's region (with --stack).")
@click.option("--profile", default=None, metavar="NAME", help="AWS profile (with --stack; default: AWS_PROFILE).")
@click.option("--endpoint-url", default=None, metavar="URL", help="AWS endpoint (with --stack; a local test one).")
@click.option("-o", "--output", default="app.py", show_default=True, metavar="FILE",
              help="The app to write ('-' prints it); with --check, the app to compare.")
@click.option("--stack-name", metavar="NAME", help="The stack's name (default: from TEMPLATE's file name).")
@click.option("--check", is_flag=True,
              help="Write nothing: compare what the app at --output synthesizes with TEMPLATE.")
@click.option("--force", is_flag=True, help="Replace --output if it exists.")
@handle_errors
def import_(template: str | None, deployed: str | None, region: str | None, profile: str | None,
            endpoint_url: str | None, output: str, stack_name: str | None, check: bool, force: bool) -> None:
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
      iac import --stack orders --region eu-west-1   a deployed stack
    """
    from iac.importer import differences, generate, read_template, stack_name_from, synthesized_template

    if (template is None) == (deployed is None):
        raise UsageError("name a TEMPLATE file or a deployed --stack NAME (one of them)",
                         hint="iac import template.yaml, or iac import --stack NAME")
    if deployed is None:
        flags = [flag for flag, value in (("--region", region), ("--profile", profile),
                                          ("--endpoint-url", endpoint_url)) if value is not None]
        if flags:
            raise UsageError(f"{', '.join(flags)} {'is' if len(flags) == 1 else 'are'} for a deployed --stack only",
                             hint="a TEMPLATE file is read as it is; import a deployed stack with --stack NAME")
    parameters: dict[str, str] = {}
    if deployed is not None:
        from iac.importer.deployed import deployed_template

        loaded, parameters = deployed_template(deployed, region=region, profile=profile, endpoint_url=endpoint_url)
        shown = f"stack {deployed}"
        stack_name = stack_name or deployed
    else:
        assert template is not None
        loaded = read_template(template)
        shown = display_path(template)
    if check:
        if output == "-" or not os.path.isfile(output):
            raise UsageError(f"--check compares an existing app: {output} is not a file",
                             hint="name the app with -o FILE")
        found = differences(loaded, synthesized_template(output, stack_name))
        _conclude(found, shown, output)
        return
    name = stack_name or stack_name_from(shown)
    _check_stack_name(name)
    source = generate(loaded, stack_name=name, source=shown)
    if output == "-":
        with tempfile.TemporaryDirectory(prefix="iac-import-") as folder:
            path = os.path.join(folder, "app.py")
            _write(path, source)
            found = differences(loaded, synthesized_template(path))
        click.echo(source, nl=False)
        _conclude(found, shown, None)
        return
    if os.path.exists(output) and not force:
        raise UsageError(f"{output} exists", hint="pass --force to replace it, or -o another file")
    _write(output, source)
    resources = len(loaded.get("Resources") or {})
    click.echo(f"Wrote {display_path(output)}: stack {name}, {resources} resource{'s' if resources != 1 else ''}")
    if parameters:
        given = " ".join(f"-p {key}={value}" for key, value in sorted(parameters.items()))
        click.echo(f"The deployed stack's parameter values (deploy with them): {given}")
    _conclude(differences(loaded, synthesized_template(output)), shown, output)


def _check_stack_name(name: str) -> None:
    from iac.specs import stack_name_pattern, stack_name_rule

    if not stack_name_pattern().match(name):
        raise UsageError(f"stack name {name!r} is invalid: {stack_name_rule().why}", hint="pass --stack-name NAME")


def _write(path: str, source: str) -> None:
    """Write `source` whole or not at all."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"cannot write {display_path(path)}: it is a directory", hint="-o names the app's file")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {display_path(path)}: folder {display_path(folder)} does not exist",
                         hint="create it first, or -o a file in an existing folder")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".iac-import-", suffix=".py")
    except OSError as error:
        raise UsageError(f"cannot write {display_path(path)}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(source)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _conclude(found: list[str], shown: str, output: str | None) -> None:
    from iac.importer.roundtrip import report

    app = display_path(output) if output else "the app"
    if not found:
        click.echo(f"Round trip holds: {app} synthesizes to {shown} (normalized)", err=output is None)
        return
    count = len(found)
    click.echo(f"Round trip fails: {app} synthesizes a template that differs from {shown} in "
               f"{count} place{'s' if count != 1 else ''}:\n{report(found)}", err=True)
    sys.exit(EXIT_VALIDATION)
