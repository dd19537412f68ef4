"""Where a stack goes: its region, its account (checked against the credentials), the asset bucket
there, and how its template reaches CloudFormation (inline, or through that bucket when large)."""

from __future__ import annotations

from collections.abc import Callable

from iac.deploy.assets import asset_bucket, check_bucket, publish_template
from iac.deploy.change_sets import TEMPLATE_BODY_LIMIT
from iac.deploy.session import AwsSession
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


def bucket_for(session: AwsSession, artifact: StackArtifact, region: str) -> str:
    """The bootstrap bucket of the stack's account and region, checked to exist."""
    account = stack_account(session, artifact, region)
    bucket = asset_bucket(account, region)
    check_bucket(session.client("s3", region), bucket, account=account, region=region)
    return bucket


def template_argument(session: AwsSession, artifact: StackArtifact, region: str,
                      note: Callable[[str], None] = lambda text: None) -> dict[str, str]:
    """{"TemplateBody": ...}, or {"TemplateURL": ...} after uploading a template over 51,200 bytes."""
    if artifact.body_bytes <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": artifact.body}
    bucket = bucket_for(session, artifact, region)
    published, url = publish_template(session.client("s3", region), bucket, artifact.body)
    note(f"template ({published.size:,} B) uploaded to s3://{bucket}/{published.key}")
    return {"TemplateURL": url}
