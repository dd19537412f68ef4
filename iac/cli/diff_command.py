"""`iac diff`: what deploying would change, predicted offline. Never writes anything."""

from __future__ import annotations

import difflib
import os
import sys
from typing import Any

import attrs
import click

from iac.cli.common import app_option, handle_errors, load_assembly
from iac.cli.deploy_commands import live_diff
from iac.cli.diff_render import render_diff
from iac.cli.parameters import parameters_by_stack, parameters_option, parse_parameters
from iac.cli.report import use_color
from iac.cli.run_report import verbose_option, watched_run
from iac.cli.selection import StackNames, select, select_stacks
from iac.errors import UsageError
from iac.synth.assembly import read_assembly
from iac.synth.diff import diff_pairs
from iac.synth.diff.acknowledge import acknowledge
from iac.synth.diff.findings import all_rules, rule_by_id
from iac.synth.diff.nested import Folder
from iac.synth.loader import load
from iac.synth.phases import BASELINE, DIFF, Phases
from iac.synth.serialize import dumps_indented
from iac.text import one_line as printable

APPROVAL_LEVELS = ("never", "widening", "any-change")


@click.command(short_help="Show what deploying would change: a change set, predicted offline.")
@click.argument("stacks", nargs=-1, metavar="[STACK...]")
@app_option
@click.option("--out", "outdir", default="iac.out", show_default=True, metavar="DIR",
              help="The assembly to compare against (the last synth).")
@click.option("--against", metavar="DIR", help="Compare against another assembly directory instead.")
@click.option("--template", "baseline_file", metavar="FILE",
              help="Compare one stack against this template file (JSON or YAML).")
@click.option("--from", "from_file", metavar="OLD", help="Compare two template files: the old one ...")
@click.option("--to", "to_file", metavar="NEW", help="... and the new one (no app needed).")
@parameters_option("A parameter value of the new deployment (repeatable; without STACK: for every stack that "
                   "declares NAME); a changed value propagates to what uses it.")
@click.option("--region", default=None, metavar="REGION",
              help="Region whose schemas decide replacements (default: the stack's); conditions on AWS::Region "
                   "are evaluated with it.")
@click.option("--account", default=None, metavar="ID",
              help="The account the stacks are deployed to: conditions on AWS::AccountId are evaluated with it.")
@click.option("--ignore", "ignored", multiple=True, metavar="ID",
              help="Silence the findings of this id (repeatable; e.g. IAC-DIFF-002): they are shown as acknowledged "
                   "and do not count for --require-approval. Per resource: iac:acknowledge in its Metadata.")
@click.option("--json", "as_json", is_flag=True, help="Print the change-set model as JSON.")
@click.option("--fail", is_flag=True, help="Exit 1 when there are changes.")
@click.option("--require-approval", type=click.Choice(APPROVAL_LEVELS), default="never", show_default=True,
              help="Exit 1 when access widens or data is at risk (widening), or on any change.")
@click.option("--live", is_flag=True, help="Compare with what is deployed (GetTemplate) and merge in CloudFormation's "
              "own change set (created, read and deleted; needs AWS credentials and the deploy extra).")
@click.option("--profile", default=None, metavar="NAME", help="AWS profile for --live (default: AWS_PROFILE).")
@click.option("--endpoint-url", default=None, metavar="URL", help="AWS endpoint for --live (a local test endpoint).")
@verbose_option("app load, synthesis, baseline read, diff")
@handle_errors
def diff(stacks: tuple[str, ...], app_spec: str | None, outdir: str, against: str | None, baseline_file: str | None,
         from_file: str | None, to_file: str | None, parameters: tuple[str, ...], region: str | None,
         account: str | None, ignored: tuple[str, ...], as_json: bool, fail: bool, require_approval: str, live: bool,
         profile: str | None, endpoint_url: str | None, verbose: bool) -> None:
    """Show what CloudFormation's change set would do: adds, changes, replacements (and why),
    removals, widened access, data at risk, likely renames, and changes that would fail.

    By default the app is synthesized (nothing is written) and compared with the last synth in
    iac.out/. Exit status: 0, or 1 with --fail when something changes (or --require-approval when
    approval would be needed), 2 for bad input.

    \b
    Examples:
      iac diff
      iac diff Network --json
      iac diff --against ../main/iac.out
      iac diff Service --template deployed.yaml
      iac diff --from old.yaml --to new.yaml --fail
      iac diff --live --profile prod        against the deployed stacks
    """
    given = parse_parameters(parameters)
    _check_ids(ignored)
    with watched_run("diff", verbose=verbose, quiet=True) as phases:  # no progress line: synth and validate have it
        if live:
            if against or baseline_file or from_file or to_file:
                raise UsageError("--live compares with the deployed stacks: leave out --against, --template, "
                                 "--from/--to")
            result = live_diff(stacks, app_spec, region=region, profile=profile, endpoint_url=endpoint_url,
                               parameters=given, phases=phases)
            for stack_diff in result.stacks:  # the templates' own acknowledgements are applied already
                acknowledge(stack_diff, None, None, ignored)
        else:
            compared = _compared(stacks, app_spec, outdir, against, baseline_file, from_file, to_file, phases)
            values = parameters_by_stack(given, compared, names=_names, template=lambda c: c.new, doing="compared")
            with phases.phase(DIFF):
                result = diff_pairs([(c.names.name, c.old, c.new, c.region) for c in compared], region=region,
                                    stack_parameters=values, account=account, ignore=ignored,
                                    folders={c.names.name: c.folders for c in compared})
    if as_json:
        click.echo(dumps_indented(result.to_json(), default=str))  # json.dumps(indent=1, default=str), faster
    else:
        click.echo(render_diff(result, color=use_color(sys.stdout)))
    if fail and result.has_changes:
        sys.exit(1)
    if require_approval == "any-change" and result.has_changes:
        click.echo("approval required: the deployment changes resources", err=True)
        sys.exit(1)
    if require_approval == "widening" and (result.widens_access or result.data_at_risk):
        click.echo("approval required: " + ("access widens" if result.widens_access else "data is at risk"), err=True)
        sys.exit(1)


@attrs.frozen(kw_only=True)
class _Compared:
    """One stack to compare: the names it may be chosen by, its old and new template, its region."""

    names: StackNames
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    region: str | None
    #: where the old and new templates are, for nested stacks' local TemplateURLs: a folder, or the app's
    #: assembly in memory ({template file name: template})
    folders: tuple[Folder, Folder] = (None, None)


def _compared(stacks: tuple[str, ...], app_spec: str | None, outdir: str, against: str | None,
              baseline_file: str | None, from_file: str | None, to_file: str | None,
              phases: Phases) -> list[_Compared]:
    """Every stack to compare, chosen by the STACK patterns (selection.py's rules)."""
    if from_file or to_file:
        if not (from_file and to_file):
            raise UsageError("--from and --to go together: iac diff --from OLD --to NEW")
        if against or baseline_file:
            raise UsageError("--from/--to compare two files; they cannot be combined with --against or --template")
        name = os.path.splitext(os.path.basename(to_file))[0].removesuffix(".template")
        with phases.phase(BASELINE):
            pair = _Compared(names=StackNames(name=name, stack_name=name, path=name), old=load(from_file),
                             new=load(to_file), region=None,
                             folders=(os.path.dirname(os.path.abspath(from_file)),
                                      os.path.dirname(os.path.abspath(to_file))))
        return select([pair], stacks, names=_names)
    if against and baseline_file:
        raise UsageError("use either --against DIR or --template FILE, not both")
    if against and not os.path.isdir(against):  # a typo must not turn every resource into an addition
        raise UsageError(f"--against {printable(against)}: no such assembly directory",
                         hint="name a folder that `iac synth --out` wrote")
    _, assembly = load_assembly(app_spec, None, phases)
    if baseline_file:
        selected = select_stacks(assembly, stacks)
        if len(selected) != 1:
            raise UsageError(f"--template compares one stack; {len(selected)} selected "
                             f"({', '.join(a.name for a in selected)})",
                             hint="name the stack: iac diff STACK --template FILE")
        [artifact] = selected
        with phases.phase(BASELINE):
            return [_Compared(names=StackNames.of(artifact), old=load(baseline_file), new=artifact.template,
                              region=artifact.region, folders=(os.path.dirname(os.path.abspath(baseline_file)),
                                                               _in_memory(assembly)))]
    with phases.phase(BASELINE):
        baseline = {s.name: s for s in read_assembly(against or outdir)}
    if not baseline:
        click.echo(f"note: no assembly in {against or outdir}/ to compare with: everything is new "
                   "(run `iac synth` first, or pass --against DIR)", err=True)
    current = [
        _Compared(names=StackNames.of(a), old=baseline[a.name].template if a.name in baseline else None,
                  new=a.template, region=a.region, folders=(against or outdir, _in_memory(assembly)))
        for a in assembly.stacks
    ]
    made = {a.name for a in assembly.stacks}
    removed = [  # stacks the app no longer makes: all removals
        _Compared(names=StackNames(name=s.name, stack_name=s.stack_name or s.name, path=s.construct_path or s.name),
                  old=s.template, new=None, region=s.region, folders=(against or outdir, None))
        for s in baseline.values() if s.name not in made
    ]
    return select([*current, *removed], stacks, names=_names)


def _in_memory(assembly: Any) -> dict[str, dict[str, Any]]:
    """The app's templates by file name, as a nested stack's TemplateURL names one in the assembly."""
    return {artifact.template_file: artifact.template for artifact in assembly.stacks}


def _check_ids(ignored: tuple[str, ...]) -> None:
    known = [rule.id for rule in all_rules()]
    for rule_id in ignored:
        if rule_by_id(rule_id) is None:
            close = difflib.get_close_matches(rule_id.upper(), known, n=1)
            raise UsageError(f"--ignore {printable(rule_id)}: no diff finding has this id",
                             hint=f"did you mean {close[0]}?" if close else f"the ids: {', '.join(known)}")


def _names(compared: _Compared) -> StackNames:
    return compared.names
