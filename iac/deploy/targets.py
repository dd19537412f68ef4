"""Who deploys where: the bootstrap stack of an account and region, and the credentials to use there.

By default, as the CDK does, iac first assumes the bootstrapped deploy role (its name is fixed, so it
can be tried before anything can be read), then reads the bootstrap stack as that role and passes
the bootstrapped execution role to CloudFormation. When the role cannot be assumed (no bootstrap, an
old bootstrap without roles, or credentials not allowed to assume it), iac deploys with the caller's
own credentials and says so: plain administrator credentials keep working where no roles exist.
`--role-arn` names the execution role instead of the bootstrapped one.

The bootstrap stack is read with DescribeStackResources (pinned logical ids), not its outputs: every
CloudFormation has those, and the physical ids are the truth about what the stack made.
"""

from __future__ import annotations

from typing import Any

import attrs

from iac.deploy.bootstrap import (
    BOOTSTRAP_STACK_NAME,
    BOUNDARY_ID,
    DEPLOY_ROLE_ID,
    DEPLOY_ROLE_TEMPLATE,
    EXECUTION_ROLE_ID,
)
from iac.deploy.events import is_missing_stack
from iac.deploy.session import AwsSession, aws_errors, error_code, error_message
from iac.errors import CredentialsError, IacError

#: Statuses in which the bootstrap stack's resources exist as its template says.
USABLE_STATUSES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                             "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"})


@attrs.frozen(kw_only=True)
class Bootstrapped:
    """What the bootstrap stack of one account and region made (None: it did not make that)."""

    account: str
    region: str
    bucket: str | None = None
    deploy_role_arn: str | None = None
    execution_role_arn: str | None = None
    boundary_arn: str | None = None


_UNREAD = object()


@attrs.define(kw_only=True)
class Target:
    """How to deploy in one region: the session (the deploy role's or the caller's own), the execution
    role CloudFormation is given (None: the caller's credentials), one line that says which, and the
    bootstrap found there (read when first needed: a deployment without assets never needs it)."""

    session: AwsSession
    region: str
    execution_role_arn: str | None
    how: str
    _bootstrap: Any = _UNREAD

    @property
    def bootstrap(self) -> Bootstrapped | None:
        if self._bootstrap is _UNREAD:
            account = self.session.account(self.region)
            self._bootstrap = read_bootstrap(self.session.client("cloudformation", self.region), account=account,
                                             region=self.region)
        return self._bootstrap

    @property
    def bounded(self) -> bool:
        """True when CloudFormation acts as the bootstrapped execution role, whose boundary forbids roles
        and users without it."""
        if self.execution_role_arn is None:
            return False
        bootstrap = self.bootstrap
        return (bootstrap is not None and bootstrap.boundary_arn is not None
                and self.execution_role_arn == bootstrap.execution_role_arn)


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def role_arn(template: str, *, account: str, region: str) -> str:
    name = template.replace("${AWS::AccountId}", account).replace("${AWS::Region}", region)
    return f"arn:{partition_of(region)}:iam::{account}:role/{name}"


def deploy_role_arn(account: str, region: str) -> str:
    return role_arn(DEPLOY_ROLE_TEMPLATE, account=account, region=region)


def read_bootstrap(cfn: Any, *, account: str, region: str) -> Bootstrapped | None:
    """The bootstrap stack's bucket, roles and boundary; None when there is no usable bootstrap stack."""
    with aws_errors():
        try:
            stacks = cfn.describe_stacks(StackName=BOOTSTRAP_STACK_NAME).get("Stacks") or []
        except Exception as error:
            if is_missing_stack(error):
                return None
            raise
        if not stacks or stacks[0].get("StackStatus") not in USABLE_STATUSES:
            return None
        found = cfn.describe_stack_resources(StackName=BOOTSTRAP_STACK_NAME).get("StackResources") or []
    by_id = {str(r["LogicalResourceId"]): r for r in found if r.get("PhysicalResourceId")}
    buckets = [str(r["PhysicalResourceId"]) for r in found
               if r.get("ResourceType") == "AWS::S3::Bucket" and r.get("PhysicalResourceId")]
    partition = partition_of(region)

    def role(logical_id: str) -> str | None:
        entry = by_id.get(logical_id)
        if entry is None:
            return None
        name = str(entry["PhysicalResourceId"])
        return name if name.startswith("arn:") else f"arn:{partition}:iam::{account}:role/{name}"

    boundary = by_id.get(BOUNDARY_ID)
    return Bootstrapped(account=account, region=region, bucket=buckets[0] if len(buckets) == 1 else None,
                        deploy_role_arn=role(DEPLOY_ROLE_ID), execution_role_arn=role(EXECUTION_ROLE_ID),
                        boundary_arn=str(boundary["PhysicalResourceId"]) if boundary else None)


def resolve_target(session: AwsSession, region: str, *, use_bootstrap_roles: bool,
                   role_arn: str | None = None) -> Target:
    """The credentials and execution role to deploy with in `region` (see the module's docstring)."""
    account = session.account(region)
    if not use_bootstrap_roles:
        return Target(session=session, region=region, execution_role_arn=role_arn,
                      how=_own_credentials(role_arn, "bootstrap roles not used"))
    wanted = deploy_role_arn(account, region)
    assumed, refusal = _try_assume(session, wanted, region)
    reader = assumed or session
    bootstrap = read_bootstrap(reader.client("cloudformation", region), account=account, region=region)
    if assumed is not None and (bootstrap is None or bootstrap.deploy_role_arn != wanted):
        assumed, refusal = None, f"the bootstrap stack of {account} in {region} has no deploy role {wanted}"
        bootstrap = read_bootstrap(session.client("cloudformation", region), account=account, region=region)
    execution = role_arn or (bootstrap.execution_role_arn if bootstrap else None)
    if assumed is None:
        return Target(session=session, region=region, execution_role_arn=execution, bootstrap=bootstrap,
                      how=_own_credentials(execution, refusal or "no deploy role"))
    return Target(session=assumed, region=region, execution_role_arn=execution, bootstrap=bootstrap,
                  how=f"deploying as {wanted}" + (f"; CloudFormation acts as {execution}" if execution else ""))


def _own_credentials(execution_role: str | None, why: str) -> str:
    acting = f"; CloudFormation acts as {execution_role}" if execution_role else ""
    return f"deploying with your own credentials ({why}){acting}"


def _try_assume(session: AwsSession, wanted: str, region: str) -> tuple[AwsSession | None, str | None]:
    """The deploy role's session, or None and why it could not be assumed (credentials errors are raised:
    the caller's own credentials would fail the same way)."""
    try:
        return session.assume_role(wanted, region=region), None
    except CredentialsError:
        raise
    except IacError as error:
        return None, f"the deploy role {wanted} could not be assumed: {error.message}"
    except Exception as error:  # botocore errors outside aws_errors' reach
        return None, f"the deploy role {wanted} could not be assumed: {error_code(error) or error_message(error)}"
