"""The bootstrap stack: the asset bucket that synthesized templates name and `iac deploy` fills.

One per account and region, named as the synthesizer names it (`iac-assets-<account>-<region>`), made
with iac's own S3 construct: private (all public access blocked, TLS required), encrypted, versioned,
kept when the stack is deleted. Objects are keyed by content hash, so a key is never overwritten;
old versions (left behind when an object is deleted) expire after `noncurrent_days`, and their
delete markers and unfinished uploads are cleaned up.
"""

from __future__ import annotations

from iac.constructs import s3
from iac.constructs.core import App, Fn, Output, Stack
from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.synth import StackArtifact, synthesize

BOOTSTRAP_STACK_NAME = "iac-bootstrap"
BOOTSTRAP_VERSION = "1"
NONCURRENT_DAYS = 30


def bootstrap_artifact(*, noncurrent_days: int = NONCURRENT_DAYS) -> StackArtifact:
    """The bootstrap stack, synthesized like any other stack."""
    if noncurrent_days < 1:
        raise ValueError(f"noncurrent_days must be at least 1, got {noncurrent_days}")
    app = App()
    stack = Stack(app, "IacBootstrap", stack_name=BOOTSTRAP_STACK_NAME,
                  description="iac bootstrap: the bucket iac deploy publishes assets to")
    bucket = s3.Bucket(
        stack, "Assets",
        bucket_name=Fn.sub(ASSET_BUCKET_TEMPLATE),
        versioned=True,
        lifecycle_rules=[{
            "Id": "ExpireOldVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent_days},
            "ExpiredObjectDeleteMarker": True,
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }],
    )
    Output(stack, "BucketName", value=bucket.bucket_name, description="where iac deploy publishes assets")
    Output(stack, "BootstrapVersion", value=BOOTSTRAP_VERSION, description="version of the bootstrap template")
    return synthesize(app).stacks[0]
