"""Publishing assets: each zip goes to the bootstrap bucket under its sha256, once.

Nothing is trusted for its name. The bucket must be the one this account's bootstrap stack made and
owned by this account (ExpectedBucketOwner on every S3 call: a bucket of the same name in another
account answers 403). An asset's bytes must hash to the sha256 the assembly names them by before they
are uploaded. An object already under the key is skipped only when its SHA-256 matches, and an
upload carries its SHA-256 so S3 rejects bytes that changed on the way. Templates too large to pass
inline go to the same bucket, under the hash of their text.
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import attrs

from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.deploy.session import aws_errors, error_code
from iac.errors import DeployError
from iac.synth.assembly import CloudAssembly, StackArtifact
from iac.text import printable

#: The object metadata entry (x-amz-meta-sha256) in which iac records the hex SHA-256 of what it uploads.
SHA256_METADATA = "sha256"


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
    """The asset's bytes, checked against the sha256 the manifest names them by: bytes iac did not build
    (an assembly folder edited after synth, a file swapped in iac.out/) are never deployed."""
    name = entry["file"]
    if name in assembly.asset_files:
        data = assembly.asset_files[name]
    elif assembly.directory:
        try:
            with open(os.path.join(assembly.directory, name), "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise DeployError(f"asset {printable(name)} cannot be read from the assembly: {error.strerror or error}",
                              hint="synthesize again (iac synth), then deploy") from None
    else:
        raise DeployError(f"asset {printable(name)} is neither in memory nor in an assembly directory")
    expected = str(entry.get("sha256", ""))
    actual = hashlib.sha256(data).hexdigest()
    key = str(entry.get("destination", {}).get("key", ""))
    if actual != expected or key != f"{expected}.zip":
        raise DeployError(f"asset {printable(name)} does not hold the bytes iac built: its sha256 is {actual}, the "
                          f"manifest says {printable(expected)} (object key {printable(key)})",
                          hint="something changed the assembly after synth; synthesize again and deploy")
    return data


def check_bucket(s3: Any, bucket: str, *, account: str, region: str, bootstrapped: str | None) -> None:
    """The asset bucket must exist, belong to this account (S3 answers 403 to ExpectedBucketOwner when it
    does not) and be the one this account's bootstrap stack made: a bucket of that name made by anyone
    else is never written to, nor trusted for what it holds."""
    hint = f"run `iac bootstrap --region {region}` once for this account and region"
    if bootstrapped is None:
        raise DeployError(f"the asset bucket {bucket} does not exist as iac bootstrap makes it: account {account} "
                          f"has no bootstrap stack (iac-bootstrap) in {region}", hint=hint)
    if bootstrapped != bucket:
        raise DeployError(f"the asset bucket {bucket} is not the bootstrapped one of account {account}, {region}: "
                          f"its bootstrap stack has {printable(bootstrapped)}", hint=hint)
    with aws_errors():
        try:
            s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        except Exception as error:
            code = error_code(error)
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise DeployError(f"the asset bucket {bucket} does not exist in account {account}, {region}",
                                  hint=f"run `iac bootstrap --region {region}` once for this account and region") \
                    from None
            if code in ("403", "Forbidden", "AccessDenied"):
                raise DeployError(f"the asset bucket {bucket} does not belong to account {account}, or these "
                                  "credentials may not read it",
                                  hint="a bucket of that name in another account is never used; check the "
                                       "credentials' s3:ListBucket permission, or bootstrap again") from None
            raise


def publish(s3: Any, bucket: str, key: str, data: bytes, *, account: str) -> Published:
    """Upload `data` under `key`, unless an object with exactly these bytes is there already.

    The key is the content's hash, but a key proves nothing about what is stored under it: an existing
    object is skipped only when its SHA-256 (S3's own checksum, else the digest iac stores in the
    object's metadata) is this content's; an object that holds other bytes is an error, not a skip.
    Every call names the account that must own the bucket."""
    digest = hashlib.sha256(data)
    existing = _existing_digest(s3, bucket, key, account=account)
    if existing is not None:
        if existing != digest.hexdigest():
            raise DeployError(f"s3://{bucket}/{key} holds other bytes than this content (sha256 {existing}, "
                              f"expected {digest.hexdigest()})",
                              hint="something other than iac wrote it; delete the object (all its versions) "
                                   "and deploy again")
        return Published(bucket=bucket, key=key, size=len(data), uploaded=False)
    with aws_errors():
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=_content_type(key), ExpectedBucketOwner=account,
                      ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),  # S3 checks it on arrival
                      Metadata={SHA256_METADATA: digest.hexdigest()})
    return Published(bucket=bucket, key=key, size=len(data), uploaded=True)


def _existing_digest(s3: Any, bucket: str, key: str, *, account: str) -> str | None:
    """The hex SHA-256 of the object under `key` (None: no object). An object whose digest S3 does not
    know and iac did not record is read and hashed: it is trusted only for what it holds."""
    with aws_errors():
        try:
            head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED", ExpectedBucketOwner=account)
        except Exception as error:
            if error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        checksum = head.get("ChecksumSHA256")
        if checksum and "-" not in str(checksum):  # a multipart upload's checksum is of its parts, not of it
            return base64.b64decode(str(checksum)).hex()
        recorded = (head.get("Metadata") or {}).get(SHA256_METADATA)
        if recorded:
            return str(recorded).lower()
        body = s3.get_object(Bucket=bucket, Key=key, ExpectedBucketOwner=account)["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def publish_template(s3: Any, bucket: str, body: str, *, account: str) -> tuple[Published, str]:
    """Upload a template that is too large to pass inline; return it and the URL CloudFormation reads."""
    data = body.encode("utf-8")
    key = f"templates/{hashlib.sha256(data).hexdigest()}.template"
    published = publish(s3, bucket, key, data, account=account)
    endpoint = str(s3.meta.endpoint_url).rstrip("/")
    return published, f"{endpoint}/{bucket}/{key}"


def _content_type(key: str) -> str:
    return "application/zip" if key.endswith(".zip") else "text/plain"
