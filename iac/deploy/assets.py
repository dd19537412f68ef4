"""Publishing assets: each zip goes to the bootstrap bucket under its sha256, once.

The key is the hash of the content (`<sha256>.zip`), so an object already under that key holds
exactly these bytes: it is skipped, not uploaded again. Templates too large to pass inline go to
the same bucket, under the hash of their text.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import attrs

from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.deploy.session import aws_errors, error_code
from iac.errors import DeployError
from iac.synth.assembly import CloudAssembly, StackArtifact


@attrs.frozen(kw_only=True)
class Published:
    bucket: str
    key: str
    size: int
    uploaded: bool  # False: it was there already


def asset_bucket(account: str, region: str) -> str:
    """The bucket the synthesizer names in templates, for one account and region."""
    return ASSET_BUCKET_TEMPLATE.replace("${AWS::AccountId}", account).replace("${AWS::Region}", region)


def assets_of(assembly: CloudAssembly, artifact: StackArtifact) -> list[dict[str, Any]]:
    """The assets the stack's template refers to (by their object key)."""
    return [entry for entry in assembly.assets.values()
            if entry.get("destination", {}).get("key") and entry["destination"]["key"] in artifact.body]


def asset_bytes(assembly: CloudAssembly, entry: dict[str, Any]) -> bytes:
    name = entry["file"]
    if name in assembly.asset_files:
        return assembly.asset_files[name]
    if assembly.directory:
        with open(os.path.join(assembly.directory, name), "rb") as handle:
            return handle.read()
    raise DeployError(f"asset {name} is neither in memory nor in an assembly directory")


def check_bucket(s3: Any, bucket: str, *, account: str, region: str) -> None:
    """Make sure the bootstrap bucket exists (and is reachable) before uploading anything."""
    with aws_errors():
        try:
            s3.head_bucket(Bucket=bucket)
        except Exception as error:
            code = error_code(error)
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise DeployError(f"the asset bucket {bucket} does not exist in account {account}, {region}",
                                  hint=f"run `iac bootstrap --region {region}` once for this account and region") \
                    from None
            if code in ("403", "Forbidden", "AccessDenied"):
                raise DeployError(f"the asset bucket {bucket} is not accessible with these credentials",
                                  hint="it may belong to another account, or the credentials lack s3:ListBucket") \
                    from None
            raise


def publish(s3: Any, bucket: str, key: str, data: bytes) -> Published:
    """Upload `data` under `key` unless an object is there already (the key is the content's hash)."""
    with aws_errors():
        try:
            s3.head_object(Bucket=bucket, Key=key)
            return Published(bucket=bucket, key=key, size=len(data), uploaded=False)
        except Exception as error:
            if error_code(error) not in ("404", "NoSuchKey", "NotFound"):
                raise
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=_content_type(key))
    return Published(bucket=bucket, key=key, size=len(data), uploaded=True)


def publish_template(s3: Any, bucket: str, body: str) -> tuple[Published, str]:
    """Upload a template that is too large to pass inline; return it and the URL CloudFormation reads."""
    data = body.encode("utf-8")
    key = f"templates/{hashlib.sha256(data).hexdigest()}.template"
    published = publish(s3, bucket, key, data)
    endpoint = str(s3.meta.endpoint_url).rstrip("/")
    return published, f"{endpoint}/{bucket}/{key}"


def _content_type(key: str) -> str:
    return "application/zip" if key.endswith(".zip") else "text/plain"
