"""`iac bootstrap`, `iac deploy`, `iac destroy`, and the AWS half of `iac diff --live`.

Thin like the rest of the CLI: options in, iac.deploy does the work, this module draws it. Exit
status: 0 ok, 1 a deployment failed or was not approved, 2 usage or input (including missing or
expired credentials), 130 interrupted (CloudFormation carries on).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from iac.cli.app_loader import protected_folders
from iac.cli.common import app_option, handle_errors, load_assembly
from iac.cli.parameters import GivenParameter, parameters_by_stack, parameters_option, parse_parameters
from iac.cli.report import format_problems, use_color
from iac.cli.selection import StackNames, select_stacks
from iac.deploy.approval import APPROVAL_LEVELS
from iac.errors import DeployError, UsageError
from iac.synth.assembly import check_output_dir
from iac.synth.phases import BASELINE, Phases
from iac.text import printable

if TYPE_CHECKING:
    from iac.synth import CloudAssembly, StackArtifact
    from iac.synth.diff import DiffResult

# iac.deploy's modules and the terminal output load inside the commands: `iac synth` never pays for them.


def aws_options(region_help: str = "AWS region for stacks that fix none in the app (default: AWS_REGION, "
                                   "else the profile's).") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--region, --profile and --endpoint-url: where to deploy, over the usual AWS configuration."""

    def add(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed((
            click.option("--region", default=None, metavar="REGION", help=region_help),
            click.option("--profile", default=None, metavar="NAME", help="AWS profile (default: AWS_PROFILE)."),
            click.option("--endpoint-url", default=None, metavar="URL",
                         help="Send every AWS call to this endpoint (a local test endpoint)."),
        )):
            command = option(command)
        return command

    return add


# -- iac deploy ------------------------------------------------------------------------------------

@click.command()
@click.argument("stacks", nargs=-1, metavar="[STACK...]")
@app_option
@click.option("--out", "outdir", default="iac.out", show_default=True, metavar="DIR",
              help="Where to write the cloud assembly that is deployed.")
@aws_options()
@click.option("--require-approval", type=click.Choice(APPROVAL_LEVELS), default="widening", show_default=True,
              help="Ask before executing when access widens or stored data is at risk (widening), on any "
                   "change (any-change), or never. Without a terminal to ask on, such a stack fails instead.")
@click.option("--no-execute", is_flag=True,
              help="Create the change sets and show them, but leave them for review instead of executing them.")
@parameters_option("A parameter value (repeatable); without STACK: for every stack that declares NAME. "
                   "Parameters not given keep their deployed value, else the template's default.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True,
              help="How many independent stacks deploy at once (dependencies always go first).")
@click.option("--no-lint", is_flag=True, help="Skip cfn-lint before deploying (the schema layer still runs).")
@click.option("--role-arn", default=None, metavar="ARN",
              help="The role CloudFormation acts as (default: the bootstrapped execution role, if any).")
@click.option("--no-bootstrap-roles", is_flag=True,
              help="Deploy with your own credentials: do not assume the bootstrapped deploy role, nor pass the "
                   "bootstrapped execution role.")
@handle_errors
def deploy(stacks: tuple[str, ...], app_spec: str | None, outdir: str, region: str | None, profile: str | None,
           endpoint_url: str | None, require_approval: str, no_execute: bool, parameters: tuple[str, ...],
           concurrency: int, no_lint: bool, role_arn: str | None, no_bootstrap_roles: bool) -> None:
    """Deploy the app's stacks through CloudFormation change sets.

    Synthesizes and validates the app (writing the assembly to --out), publishes its assets to the
    bootstrap bucket (once per content hash), then for each stack, dependencies first: creates a
    change set (CREATE for a new stack, UPDATE otherwise), shows iac's diff of the deployed template
    with CloudFormation's change set merged in, asks for approval where --require-approval wants it,
    executes it and follows the stack's events until CloudFormation is done. An empty change set is
    "no changes". STACK selects stacks by name, CloudFormation stack name or construct path (globs
    allowed); the default is every stack. Only the stacks chosen are deployed, dependencies first.
    Capabilities (IAM, named IAM, auto-expand) are read from each template; stack tags from the app.

    Who deploys: by default iac assumes the deploy role `iac bootstrap` made
    (iac-deploy-<account>-<region>) and CloudFormation acts as the bootstrapped execution role,
    whose permissions boundary every role and user the stacks create must carry. Where there is no
    such role (or it cannot be assumed) iac deploys with your own credentials and says so.

    Exit status: 0 deployed (or nothing to change), 1 a stack failed or was not approved, 2 usage
    or input error (bad option, missing or expired credentials), 130 interrupted: CloudFormation goes
    on with what it started.

    \b
    Examples:
      iac bootstrap                          once per account and region
      iac deploy
      iac deploy Service --require-approval any-change
      iac deploy --no-execute                review the change sets in the console
      iac deploy -p Network:Env=prod --profile prod --region eu-west-1
    """
    from iac.cli.deploy_output import TerminalReporter, finish_deploy
    from iac.deploy.deployment import Deployment
    from iac.deploy.session import AwsSession

    session = AwsSession(profile=profile, region=region, endpoint_url=endpoint_url)
    given = parse_parameters(parameters)  # before the app runs: a typo costs no synth
    assembly = _synthesized(app_spec, outdir, lint=not no_lint)
    selected = _chosen(assembly, stacks)
    values: dict[str | None, dict[str, str]] = dict(_resolved(given, selected, doing="deployed").items())
    reporter = TerminalReporter(selected)
    deployment = Deployment(session, assembly, reporter=reporter, require_approval=require_approval,
                            execute=not no_execute, parameters=values, concurrency=concurrency,
                            use_bootstrap_roles=not no_bootstrap_roles, role_arn=_checked_role_arn(role_arn))
    results = deployment.run(selected)
    finish_deploy(results, reporter, interrupted=deployment.interrupted)


def _synthesized(app_spec: str | None, outdir: str, *, lint: bool) -> CloudAssembly:
    from iac.synth.synthesizer import validate_assembly

    phases = Phases()
    protected = protected_folders(app_spec)  # the app's folder: --out must never replace it
    check_output_dir(outdir, protected=protected)  # before the app runs
    _, assembly = load_assembly(app_spec, None, phases)
    validate_assembly(assembly, lint=lint, cache_dir=outdir, reuse_lint_cache=False, phases=phases)
    assembly.write(outdir, protected=protected)
    _print_warnings(assembly.warnings)
    return assembly


def _print_warnings(warnings: list[Any]) -> None:
    if warnings:
        click.echo(format_problems(warnings, color=use_color(sys.stderr)), err=True)


def _checked_role_arn(role_arn: str | None) -> str | None:
    """An IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME), or a UsageError before anything runs."""
    if role_arn is None:
        return None
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[4].isdigit() \
            or not parts[5].startswith("role/"):
        raise UsageError(f"--role-arn takes an IAM role ARN (arn:aws:iam::123456789012:role/NAME), got "
                         f"{printable(role_arn)!r}")
    return role_arn


def _chosen(assembly: CloudAssembly, stacks: tuple[str, ...]) -> list[StackArtifact]:
    """The stacks STACK picks (selection.py's rules), dependencies first; an app without stacks is an error."""
    selected = select_stacks(assembly, stacks)
    if not selected:
        raise UsageError("the app defines no stacks: nothing to do")
    return selected


def _resolved(given: list[GivenParameter], selected: list[StackArtifact], *, doing: str) -> dict[str, dict[str, str]]:
    """{artifact name: parameter values} for each selected stack (parameters.py's rules)."""
    return parameters_by_stack(given, selected, names=StackNames.of, template=lambda a: a.template, doing=doing)


# -- iac bootstrap ---------------------------------------------------------------------------------

@click.command()
@aws_options("The region to bootstrap (default: AWS_REGION, else the profile's).")
@click.option("--noncurrent-days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="Days after which an old version of an asset (left by a deletion) expires.")
@click.option("--execution-policy", "execution_policies", multiple=True, metavar="ARN",
              help="A managed policy for the execution role (repeatable; default: AdministratorAccess, "
                   "within the boundary).")
@handle_errors
def bootstrap(region: str | None, profile: str | None, endpoint_url: str | None, noncurrent_days: int,
              execution_policies: tuple[str, ...]) -> None:
    """Create (or update) what deploying needs in this account and region, with administrator credentials.

    A stack named iac-bootstrap: the asset bucket `iac-assets-<account>-<region>` (owner-enforced,
    public access blocked, TLS only, encrypted, versioned, old versions expiring after
    --noncurrent-days; kept if the stack is deleted); a permissions boundary; the execution role
    CloudFormation acts as (--execution-policy, AdministratorAccess by default), and the deploy role
    that principals of this account may assume to run `iac deploy` without administrator
    credentials. Both roles carry the boundary, which forbids creating or changing roles and users
    without it and editing the boundary itself. See docs/deploy.md, "Security model".

    \b
    Examples:
      iac bootstrap
      iac bootstrap --profile prod --region eu-west-1
    """
    from iac.cli.deploy_output import TerminalReporter, finish_deploy
    from iac.deploy.assets import asset_bucket
    from iac.deploy.bootstrap import EXECUTION_ROLE_TEMPLATE, bootstrap_artifact
    from iac.deploy.deployment import DEPLOYED_STATE, UNCHANGED, Deployment
    from iac.deploy.session import AwsSession
    from iac.deploy.targets import deploy_role_arn, role_arn
    from iac.synth import CloudAssembly

    for policy in execution_policies:
        if not policy.startswith("arn:") or ":iam::" not in policy or ":policy/" not in policy:
            raise UsageError(f"--execution-policy takes a managed policy ARN (arn:aws:iam::aws:policy/NAME), got "
                             f"{printable(policy)!r}")
    session = AwsSession(profile=profile, region=region, endpoint_url=endpoint_url)
    artifact = bootstrap_artifact(noncurrent_days=noncurrent_days,
                                  **({"execution_policies": execution_policies} if execution_policies else {}))
    where = session.region(None)
    account = session.account(where)
    reporter = TerminalReporter([artifact], interactive=False)
    deployment = Deployment(session, CloudAssembly(stacks=[artifact]), reporter=reporter, require_approval="never")
    results = deployment.run([artifact])
    if results[0].state in (DEPLOYED_STATE, UNCHANGED):
        click.echo(f"\nBootstrapped account {account} in {where}: assets go to s3://{asset_bucket(account, where)}")
        click.echo(f"  deploy role (iac deploy assumes it): {deploy_role_arn(account, where)}\n"
                   f"  execution role (CloudFormation acts as it): "
                   f"{role_arn(EXECUTION_ROLE_TEMPLATE, account=account, region=where)}")
    finish_deploy(results, reporter, interrupted=deployment.interrupted)


# -- iac destroy -----------------------------------------------------------------------------------

@click.command()
@click.argument("stacks", nargs=-1, metavar="[STACK...]")
@app_option
@aws_options()
@click.option("--force", "-f", is_flag=True, help="Do not ask for confirmation.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True,
              help="How many independent stacks are deleted at once (dependents always go first).")
@handle_errors
def destroy(stacks: tuple[str, ...], app_spec: str | None, region: str | None, profile: str | None,
            endpoint_url: str | None, force: bool, concurrency: int) -> None:
    """Delete the app's stacks, dependents first, after confirmation.

    Lists what CloudFormation keeps because of a Retain (or Snapshot) deletion policy, with physical
    ids: those resources stay in the account. STACK selects stacks by name, CloudFormation stack name
    or construct path (globs allowed); default: all.
    Without a terminal to confirm on, --force is required.

    Exit status: 0 deleted (or not deployed), 1 a deletion failed or was not confirmed, 2 usage or
    input error, 130 interrupted.

    \b
    Examples:
      iac destroy Service
      iac destroy --force
    """
    from iac.cli.deploy_output import TerminalReporter, finish_destroy, is_terminal
    from iac.deploy.destroy import destroy as destroy_stacks
    from iac.deploy.polling import Poller
    from iac.deploy.session import AwsSession

    session = AwsSession(profile=profile, region=region, endpoint_url=endpoint_url)
    _, assembly = load_assembly(app_spec, None, Phases())
    selected = _chosen(assembly, stacks)
    names = ", ".join(a.stack_name for a in reversed(selected))
    session.account(session.region(selected[0].region))  # credentials before the question
    if not force:
        if not is_terminal():
            raise DeployError(f"destroying {names} needs confirmation, and there is no terminal to ask on",
                              hint="pass --force to delete without asking")
        if not click.confirm(f"Delete stack{'s' if len(selected) != 1 else ''} {names}?", default=False):
            raise DeployError("not confirmed; nothing was deleted")
    reporter = TerminalReporter(selected, interactive=False)
    scheduler, ran = destroy_stacks(session, selected, reporter=reporter, poller=Poller(), concurrency=concurrency)
    finish_destroy(ran, interrupted=scheduler.interrupted)


# -- iac diff --live -------------------------------------------------------------------------------

def live_diff(stacks: tuple[str, ...], app_spec: str | None, *, region: str | None, profile: str | None,
              endpoint_url: str | None, parameters: list[GivenParameter], phases: Phases) -> DiffResult:
    """The app against what is deployed: GetTemplate as the baseline, CloudFormation's change set merged in."""
    from iac.deploy.live_diff import live_diff as diff_deployed
    from iac.deploy.session import AwsSession

    session = AwsSession(profile=profile, region=region, endpoint_url=endpoint_url)
    _, assembly = load_assembly(app_spec, None, phases)
    selected = _chosen(assembly, stacks)
    values = _resolved(parameters, selected, doing="compared")
    with phases.phase(BASELINE):
        return diff_deployed(session, selected, stack_parameters=values,
                             note=lambda stack, text: click.echo(f"{stack}: {text}", err=True))
