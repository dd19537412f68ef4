"""`iac diff`: what deploying would change, predicted offline. Never writes anything."""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from typing import Any

import click

from iac.cli.common import app_option, handle_errors, load_assembly
from iac.cli.deploy_commands import live_diff
from iac.cli.diff_render import render_diff
from iac.cli.report import use_color
from iac.cli.run_report import verbose_option, watched_run
from iac.errors import UsageError
from iac.synth.assembly import read_assembly
from iac.synth.diff import diff_pairs
from iac.synth.loader import load
from iac.synth.phases import BASELINE, DIFF, Phases
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
@click.option("--parameters", "-p", multiple=True, metavar="NAME=VALUE",
              help="Parameter values of the new deployment (repeatable); changed values propagate.")
@click.option("--region", default=None, metavar="REGION",
              help="Region whose schemas decide replacements (default: the stack's).")
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
         as_json: bool, fail: bool, require_approval: str, live: bool, profile: str | None, endpoint_url: str | None,
         verbose: bool) -> None:
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
    values = _parse_parameters(parameters)
    with watched_run("diff", verbose=verbose) as phases:
        if live:
            if against or baseline_file or from_file or to_file:
                raise UsageError("--live compares with the deployed stacks: leave out --against, --template, "
                                 "--from/--to")
            result = live_diff(stacks, app_spec, region=region, profile=profile, endpoint_url=endpoint_url,
                               parameters=values, phases=phases)
        else:
            pairs = _pairs(stacks, app_spec, outdir, against, baseline_file, from_file, to_file, phases)
            with phases.phase(DIFF):
                result = diff_pairs(pairs, region=region, parameters=values)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1, default=str))
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


Pair = tuple[str, dict[str, Any] | None, dict[str, Any] | None, str | None]


def _pairs(stacks: tuple[str, ...], app_spec: str | None, outdir: str, against: str | None,
           baseline_file: str | None, from_file: str | None, to_file: str | None, phases: Phases) -> list[Pair]:
    """(stack name, old template, new template, region) for every stack to compare."""
    if from_file or to_file:
        if not (from_file and to_file):
            raise UsageError("--from and --to go together: iac diff --from OLD --to NEW")
        if against or baseline_file:
            raise UsageError("--from/--to compare two files; they cannot be combined with --against or --template")
        name = os.path.splitext(os.path.basename(to_file))[0].removesuffix(".template")
        with phases.phase(BASELINE):
            return [(name, load(from_file), load(to_file), None)]
    if against and baseline_file:
        raise UsageError("use either --against DIR or --template FILE, not both")
    if against and not os.path.isdir(against):  # a typo must not turn every resource into an addition
        raise UsageError(f"--against {printable(against)}: no such assembly directory",
                         hint="name a folder that `iac synth --out` wrote")
    _, assembly = load_assembly(app_spec, None, phases)
    current = {a.name: (a.template, a.region) for a in assembly.stacks}
    if baseline_file:
        selected = _select(stacks, list(current)) if stacks else list(current)
        if len(selected) != 1:
            raise UsageError(f"--template compares one stack; {len(selected)} selected ({', '.join(selected)})",
                             hint="name the stack: iac diff STACK --template FILE")
        name = selected[0]
        with phases.phase(BASELINE):
            return [(name, load(baseline_file), current[name][0], current[name][1])]
    with phases.phase(BASELINE):
        baseline = {s.name: (s.template, s.region) for s in read_assembly(against or outdir)}
    if not baseline:
        click.echo(f"note: no assembly in {against or outdir}/ to compare with: everything is new "
                   "(run `iac synth` first, or pass --against DIR)", err=True)
    names = list(dict.fromkeys([*current, *baseline]))
    if stacks:
        names = _select(stacks, names)
    return [
        (name, baseline.get(name, (None, None))[0], current.get(name, (None, None))[0],
         (current.get(name) or baseline.get(name) or (None, None))[1])
        for name in names
    ]


def _select(patterns: tuple[str, ...], names: list[str]) -> list[str]:
    chosen: list[str] = []
    for pattern in patterns:
        matches = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not matches:
            raise UsageError(f"no stack matches {pattern!r} (stacks: {', '.join(names) or 'none'})")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def _parse_parameters(items: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--parameters takes NAME=VALUE, got {item!r}")
        values[name] = value
    return values
