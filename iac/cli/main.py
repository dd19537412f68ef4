"""The `iac` command. Thin: parse options, call iac.synth, print; errors become exit statuses.

Exit statuses: 0 ok, 1 validation failed, 2 usage or input error. No traceback unless --debug.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import time
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import click

from iac.checks.formats import FORMATS as REPORT_FORMATS
from iac.cli.app_loader import protected_folders
from iac.cli.common import EXIT_USAGE, EXIT_VALIDATION, app_option, handle_errors, load_assembly
from iac.cli.report import count_summary, format_problems, format_quiet_problems, use_color
from iac.cli.run_report import verbose_option, watched_run
from iac.cli.selection import select_stacks
from iac.constructs.core.source import display_path
from iac.errors import UsageError, ValidationError
from iac.synth.phases import WRITE
from iac.synth.serialize import FORMATS

if TYPE_CHECKING:
    from iac.synth import CloudAssembly, StackArtifact

#: The commands besides synth and validate, as "module:attribute", imported when first used (run, listed by
#: --help, or suggested for a typo): `iac synth` does not pay for diff's, deploy's or watch's modules. An
#: attribute that is no command makes one from the synth command (watch takes synth's options).
LAZY_COMMANDS = {
    "diff": "iac.cli.diff_command:diff",
    "ls": "iac.cli.inspect_commands:list_stacks",
    "tree": "iac.cli.inspect_commands:tree",
    "init": "iac.cli.init_command:init",
    "import": "iac.cli.import_command:import_",
    "lint-worker": "iac.cli.lint_worker_command:lint_worker",
    "watch": "iac.cli.watch_command:watch_command",
    "bootstrap": "iac.cli.deploy_commands:bootstrap",
    "deploy": "iac.cli.deploy_commands:deploy",
    "destroy": "iac.cli.deploy_commands:destroy",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands, name -> command, where those given as "module:attribute" (LAZY_COMMANDS) are
    imported on first access."""

    def __init__(self, lazy: dict[str, str]) -> None:
        self._loaded: dict[str, click.Command] = {}
        self._lazy = dict(lazy)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in self._lazy:
            module, _, attribute = self._lazy.pop(name).partition(":")
            found = getattr(importlib.import_module(module), attribute)
            self._loaded[name] = found if isinstance(found, click.Command) else found(synth)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._lazy.pop(name, None)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if self._lazy.pop(name, None) is None:
            del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._loaded, *self._lazy])

    def __len__(self) -> int:
        return len(self._loaded) + len(self._lazy)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._lazy


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="iac-cfn", prog_name="iac")
def cli() -> None:
    """iac: AWS infrastructure as Python classes, synthesized to CloudFormation.

    The app comes from --app, else [tool.iac] app in pyproject.toml, else ./app.py. Exit status: 0 ok,
    1 validation failed (or differences with diff --fail), 2 usage or input error. NO_COLOR turns
    colour off. Run `iac COMMAND --help` for a command's options and examples.

    \b
    Examples:
      iac init serverless-api demo  create a project in demo/
      iac synth                     run ./app.py, validate, write iac.out/
      iac synth Network --print     print one stack's template
      iac diff                      what deploying would change, against the last synth
      iac tree                      the construct tree, with resource types and logical ids
      iac ls --long                 stacks, their resources and dependencies
      iac import template.yaml      turn a CloudFormation or SAM template into app.py
    """


cli.commands = LazyCommands(LAZY_COMMANDS)


@cli.command(short_help="Run the app, validate it, write the cloud assembly (iac.out/).")
@click.argument("stacks", nargs=-1, metavar="[STACK...]")
@app_option
@click.option("--out", "outdir", default="iac.out", show_default=True, metavar="DIR",
              help="Where to write the cloud assembly.")
@click.option("--format", "format_", type=click.Choice(FORMATS), default=None,
              help="Template format (default: the App's, json).")
@click.option("--print", "print_", is_flag=True,
              help="Write the selected stack's template to stdout instead of writing the assembly.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing on success; warnings as one line per rule (their count and the first).")
@click.option("--no-lint", is_flag=True, help="Skip cfn-lint (the schema layer still runs).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@verbose_option("app load, synthesis, schema validation, lint, write")
@handle_errors
def synth(stacks: tuple[str, ...], app_spec: str | None, outdir: str, format_: str | None,
          print_: bool, quiet: bool, no_lint: bool, strict: bool, verbose: bool) -> None:
    """Run the app, validate it and write the cloud assembly.

    STACK selects stacks (by name, CloudFormation stack name or construct path; globs allowed)
    for the summary or --print; the whole assembly is always written, so the manifest stays
    complete. A failing synth leaves the previous assembly untouched.

    \b
    Examples:
      iac synth
      iac synth --app samples/hello/app.py --out iac.out/hello
      iac synth Network --print --format yaml
      iac synth --no-lint --verbose
    """
    from iac.synth.assembly import check_output_dir
    from iac.synth.synthesizer import validate_assembly  # here, not at start-up: `iac --version` needs neither

    started = time.perf_counter()
    with watched_run("synth", verbose=verbose, quiet=quiet) as phases:
        protected = protected_folders(app_spec)  # the app's folder: --out must never replace it
        if not print_:
            check_output_dir(outdir, protected=protected)  # before the app runs and lint takes its seconds
        _, assembly = load_assembly(app_spec, format_, phases)
        selected = select_stacks(assembly, stacks)
        if print_ and len(selected) != 1:
            names = ", ".join(a.name for a in selected)
            raise UsageError(f"--print needs exactly one stack; {len(selected)} selected ({names})",
                             hint="name the stack: iac synth STACK --print")
        validate_assembly(assembly, lint=not no_lint, strict=strict, cache_dir=outdir, phases=phases)
        if print_:
            click.echo(selected[0].body, nl=False)
            _print_warnings(assembly.warnings)
            return
        with phases.phase(WRITE):
            directory = assembly.write(outdir, protected=protected)
    if not quiet:
        _print_summary(assembly, selected, directory, time.perf_counter() - started)
    _print_warnings(assembly.warnings, quiet=quiet)


@cli.command(short_help="Check the app's templates, or template files, against the schemas and cfn-lint.")
@click.argument("templates", nargs=-1, metavar="[TEMPLATE...]", type=click.Path())
@app_option
@click.option("--region", default=None, metavar="REGION",
              help="Region whose schemas apply to template files (default us-east-1).")
@click.option("--no-lint", is_flag=True, help="Skip cfn-lint (the schema layer still runs).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--list-rules", is_flag=True, help="Print the security and best-practice checks and exit.")
@click.option("--format", "format_", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
              help="text for people; json, or sarif (SARIF 2.1.0, for code scanning): every problem, on stdout.")
@verbose_option("app load, synthesis, schema validation, lint")
@handle_errors
def validate(templates: tuple[str, ...], app_spec: str | None, region: str | None, no_lint: bool,
             strict: bool, list_rules: bool, format_: str, verbose: bool) -> None:
    """Check templates against the CloudFormation schemas and cfn-lint.

    With no TEMPLATE, runs the app and validates what it synthesizes (nothing is written). TEMPLATE
    may be JSON or YAML files (short-form tags allowed) or folders of them.

    \b
    Examples:
      iac validate
      iac validate templates/ --region eu-west-1
      iac validate stack.yaml --strict
      iac validate --list-rules     the checks (docs/checks.md), which [tool.iac.checks] turns off
      iac validate --format sarif > iac.sarif
    """
    if list_rules:
        from iac.checks.docs import rule_table

        click.echo(rule_table(), nl=False)
        return
    if format_ != "text":
        _validate_to_document(templates, app_spec, region, no_lint, strict, format_, verbose)
        return
    if not templates:
        from iac.synth.synthesizer import validate_assembly

        with watched_run("validate", verbose=verbose) as phases:
            _, assembly = load_assembly(app_spec, None, phases)
            validate_assembly(assembly, lint=not no_lint, strict=strict, phases=phases)
        count = len(assembly.stacks)
        click.echo(f"{count} stack{'s' if count != 1 else ''} valid"
                   + _warning_note(assembly.warnings, assembly.side_findings))
        _print_warnings(assembly.warnings)
        return
    from iac.synth.template_files import validate_files

    with watched_run("validate", verbose=verbose, unit="file") as phases:
        report = validate_files(list(templates), region=region, lint=not no_lint, strict=strict, phases=phases)
    if report.errors:
        error = ValidationError(report.errors + report.warnings)
        if any(problem.code == "template" for problem in report.errors):
            error.exit_status = EXIT_USAGE  # a file that cannot be read is an input error
        raise error
    click.echo(f"{report.files} template{'s' if report.files != 1 else ''} valid"
               + _warning_note(report.warnings, report.side_findings))
    _print_warnings(report.warnings)


def _validate_to_document(templates: tuple[str, ...], app_spec: str | None, region: str | None, no_lint: bool,
                          strict: bool, format_: str, verbose: bool) -> None:
    """Validate as `validate` does, then print every problem as a JSON or SARIF document; exit 1 on errors."""
    from iac.synth.synthesizer import validate_assembly
    from iac.synth.template_files import validate_files
    from iac.synth.validation import errors_and_warnings

    stacks: dict[str, str] = {}
    side: list[Any] = []
    # quiet: the document is the output, no progress line beside it (as with --json elsewhere)
    with watched_run("validate", verbose=verbose, quiet=True) as phases:
        if templates:
            report = validate_files(list(templates), region=region, lint=not no_lint, strict=strict, phases=phases)
            errors, warnings = report.errors, report.warnings
            side = report.side_findings
        else:
            try:
                _, assembly = load_assembly(app_spec, None, phases)
                stacks = {artifact.construct_path: artifact.name for artifact in assembly.stacks}
                side = assembly.side_findings  # filled by validate_assembly, also when it raises
                validate_assembly(assembly, lint=not no_lint, strict=strict, phases=phases)
                errors, warnings = [], list(assembly.warnings)
            except ValidationError as error:
                errors, warnings = errors_and_warnings(error.problems, strict=strict)  # type: ignore[arg-type]
    from iac.checks.formats import json_document, sarif_document

    render = json_document if format_ == "json" else sarif_document
    click.echo(render(errors, warnings, stacks, side), nl=False)
    if errors:
        sys.exit(EXIT_USAGE if any(getattr(p, "code", None) == "template" for p in errors) else EXIT_VALIDATION)


def _warning_note(warnings: list[Any], side: list[Any] | None = None) -> str:
    """" (2 warnings, 1 finding suppressed)": the suppressed findings' reasons are in the templates' Metadata,
    and --format json lists them."""
    parts = [count_summary(warnings)] if warnings else []
    suppressed = [found for found, reason in side or () if reason]
    if suppressed:
        parts.append(f"{len(suppressed)} finding{'s' if len(suppressed) != 1 else ''} suppressed")
    return f" ({', '.join(parts)})" if parts else ""


def _print_warnings(warnings: list[Any], *, quiet: bool = False) -> None:
    """Every warning in full; with --quiet one line per rule (count and first one), so a quiet synth of many
    resources that share a warning stays a few lines."""
    if not warnings:
        return
    color = use_color(sys.stderr)
    if quiet:
        text = format_quiet_problems(warnings, color=color,
                                     see_all="run without --quiet, or iac validate --format json")
    else:
        text = format_problems(warnings, color=color)
    click.echo(text, err=True)


def _print_summary(assembly: CloudAssembly, selected: list[StackArtifact], directory: str, seconds: float) -> None:
    from iac.synth.synthesizer import is_large_template

    shown = display_path(directory)
    count = len(assembly.stacks)
    click.echo(f"Synthesized {count} stack{'s' if count != 1 else ''} to {shown}/ in {seconds:.2f}s")
    width = max(len(a.name) for a in selected) if selected else 0
    for artifact in selected:
        resources = artifact.resource_count
        line = (
            f"  {artifact.name:<{width}}  {resources:>4} resource{'s' if resources != 1 else ' '}"
            f"  {_size(artifact.body_bytes):>9}  {os.path.join(shown, artifact.template_file)}"
        )
        if artifact.dependencies:
            line += f"  (depends on {', '.join(artifact.dependencies)})"
        if is_large_template(artifact):
            line += "  (over 51,200 bytes: deploy through an S3 upload)"
        click.echo(line)


def _size(count: int) -> str:
    return f"{count:,} B" if count < 10_000 else f"{count / 1024:,.1f} KiB"


def main() -> None:
    # A command lives for seconds and builds a tree whose objects all live to the end: the garbage
    # collector's frequent young-generation passes only cost time (~15% of a large synth or diff).
    gc.set_threshold(100_000, 50, 50)
    cli(prog_name="iac")


if __name__ == "__main__":  # pragma: no cover
    main()
