"""Where a stack goes: its region, its account (checked against the credentials), the asset bucket
there, and how its template reaches CloudFormation (inline, or through that bucket when large)."""

from __future__ import annotations

from collections.abc import Callable

from iac.deploy.assets import asset_bucket, check_bucket, publish_template
from iac.deploy.change_sets import TEMPLATE_BODY_LIMIT
from iac.deploy.session import AwsSession
from iac.deploy.targets import Target
from iac.errors import DeployError
from iac.synth.assembly import StackArtifact


def stack_account(session: AwsSession, artifact: StackArtifact, region: str) -> str:
    """The credentials' account; DeployError when the stack names another one."""
    account = session.account(region)
    if artifact.account and artifact.account != account:
        raise DeployError(f"stack {artifact.stack_name} is for account {artifact.account}, but the credentials "
                          f"are for account {account}",
                          hint="use credentials (--profile) for the stack's account")
    return account


def bucket_for(target: Target, artifact: StackArtifact) -> str:
    """The bootstrap bucket of the stack's account and region, checked to be the bootstrapped one and
    to belong to the account."""
    account = stack_account(target.session, artifact, target.region)
    bucket = asset_bucket(account, target.region)
    check_bucket(target.session.client("s3", target.region), bucket, account=account, region=target.region,
                 bootstrapped=target.bootstrap.bucket if target.bootstrap else None)
    return bucket


def template_argument(target: Target, artifact: StackArtifact,
                      note: Callable[[str], None] = lambda text: None) -> dict[str, str]:
    """{"TemplateBody": ...}, or {"TemplateURL": ...} after uploading a template over 51,200 bytes."""
    if artifact.body_bytes <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": artifact.body}
    bucket = bucket_for(target, artifact)
    published, url = publish_template(target.session.client("s3", target.region), bucket, artifact.body,
                                      account=target.session.account(target.region))
    note(f"template ({published.size:,} B) uploaded to s3://{bucket}/{published.key}")
    return {"TemplateURL": url}
