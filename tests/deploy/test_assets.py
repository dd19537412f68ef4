"""Publishing assets to the bootstrap bucket of the moto server: by content hash, once, and never
trusting a name: the bucket must be the account's bootstrapped one, every S3 call names the account
that must own it, an object under our key is skipped only when its SHA-256 is this content's, and an
asset's bytes must hash to what the assembly says before they are uploaded.

moto 5.2.5 ignores ExpectedBucketOwner and does not keep S3 checksums (ChecksumSHA256 on upload or
with ChecksumMode on HeadObject): the parameter is checked on the request itself, the metadata digest
against moto, and S3's checksum with a recorded HeadObject answer (botocore's Stubber).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from local_aws import ACCOUNT, REGION

from iac.deploy.assets import asset_bucket, asset_bytes, check_bucket, publish, publish_template
from iac.errors import DeployError
from iac.synth import CloudAssembly

BUCKET = asset_bucket(ACCOUNT, REGION)
DATA = b"PK-data"
SHA = hashlib.sha256(DATA).hexdigest()


def _requests(client: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every request the client makes: (operation, parameters as given)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    client.meta.events.register_first("provide-client-params.s3.*",
                                      lambda params, model, **_: seen.append((model.name, dict(params))))
    return seen


def test_an_object_is_uploaded_once_and_skipped_after(moto_client: Callable[[str], Any]) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    first = publish(s3, BUCKET, f"{SHA}.zip", DATA, account=ACCOUNT)
    again = publish(s3, BUCKET, f"{SHA}.zip", DATA, account=ACCOUNT)
    assert (first.uploaded, again.uploaded) == (True, False)
    stored = s3.head_object(Bucket=BUCKET, Key=f"{SHA}.zip")
    assert stored["Metadata"] == {"sha256": SHA}
    assert s3.get_object(Bucket=BUCKET, Key=f"{SHA}.zip")["Body"].read() == DATA


def test_every_s3_call_names_the_account_that_must_own_the_bucket(moto_client: Callable[[str], Any]) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="foreign.zip", Body=DATA)  # no digest recorded: read and hashed
    requests = _requests(s3)
    check_bucket(s3, BUCKET, account=ACCOUNT, region=REGION, bootstrapped=BUCKET)
    publish(s3, BUCKET, f"{SHA}.zip", DATA, account=ACCOUNT)
    publish(s3, BUCKET, "foreign.zip", DATA, account=ACCOUNT)
    publish_template(s3, BUCKET, '{"Resources": {}}', account=ACCOUNT)
    operations = {name for name, _ in requests}
    assert {"HeadBucket", "HeadObject", "PutObject", "GetObject"} <= operations
    assert [name for name, params in requests if params.get("ExpectedBucketOwner") != ACCOUNT] == []
    [upload, *_] = [params for name, params in requests if name == "PutObject"]
    assert upload["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(DATA).digest()).decode()


def test_an_object_under_our_key_with_other_bytes_is_an_error_not_a_skip(moto_client: Callable[[str], Any]) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=f"{SHA}.zip", Body=b"planted by someone else")
    with pytest.raises(DeployError, match=rf"s3://{BUCKET}/{SHA}\.zip holds other bytes than this content"):
        publish(s3, BUCKET, f"{SHA}.zip", DATA, account=ACCOUNT)
    other = b"other content"  # an object of ours whose recorded digest is not this content's
    other_sha = hashlib.sha256(other).hexdigest()
    publish(s3, BUCKET, "templates/x.template", other, account=ACCOUNT)
    assert s3.head_object(Bucket=BUCKET, Key="templates/x.template")["Metadata"] == {"sha256": other_sha}
    with pytest.raises(DeployError, match=f"holds other bytes than this content \\(sha256 {other_sha}"):
        publish(s3, BUCKET, "templates/x.template", DATA, account=ACCOUNT)


def test_s3s_own_checksum_decides_before_the_metadata(stubbed: Any) -> None:
    s3, stubber = stubbed("s3")
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    stubber.add_response("head_object", {"ChecksumSHA256": wrong, "Metadata": {"sha256": SHA}},
                         {"Bucket": BUCKET, "Key": f"{SHA}.zip", "ChecksumMode": "ENABLED",
                          "ExpectedBucketOwner": ACCOUNT})
    with pytest.raises(DeployError, match="holds other bytes"):
        publish(s3, BUCKET, f"{SHA}.zip", DATA, account=ACCOUNT)
    right = base64.b64encode(hashlib.sha256(DATA).digest()).decode()
    stubber.add_response("head_object", {"ChecksumSHA256": right},
                         {"Bucket": BUCKET, "Key": f"{SHA}.zip", "ChecksumMode": "ENABLED",
                          "ExpectedBucketOwner": ACCOUNT})
    assert publish(s3, BUCKET, f"{SHA}.zip", DATA, account=ACCOUNT).uploaded is False
    stubber.assert_no_pending_responses()


def test_a_bucket_of_another_account_is_refused(stubbed: Any) -> None:
    s3, stubber = stubbed("s3")
    stubber.add_client_error("head_bucket", service_error_code="403", http_status_code=403,
                             expected_params={"Bucket": BUCKET, "ExpectedBucketOwner": ACCOUNT})
    with pytest.raises(DeployError, match=f"the asset bucket {BUCKET} does not belong to account {ACCOUNT}"):
        check_bucket(s3, BUCKET, account=ACCOUNT, region=REGION, bootstrapped=BUCKET)


def test_a_bucket_the_bootstrap_stack_did_not_make_is_never_used(moto_client: Callable[[str], Any]) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)  # the right name, made by hand (or by anyone who got there first)
    requests = _requests(s3)
    with pytest.raises(DeployError, match=f"the asset bucket {BUCKET} does not exist as iac bootstrap makes it: "
                                          f"account {ACCOUNT} has no bootstrap stack") as caught:
        check_bucket(s3, BUCKET, account=ACCOUNT, region=REGION, bootstrapped=None)
    assert caught.value.hint == f"run `iac bootstrap --region {REGION}` once for this account and region"
    with pytest.raises(DeployError, match=f"the asset bucket {BUCKET} is not the bootstrapped one of account "
                                          f"{ACCOUNT}, {REGION}: its bootstrap stack has iac-assets-other"):
        check_bucket(s3, BUCKET, account=ACCOUNT, region=REGION, bootstrapped="iac-assets-other")
    assert requests == []  # nothing was asked of a bucket iac does not know


def test_a_missing_bucket_points_at_iac_bootstrap(moto_client: Callable[[str], Any]) -> None:
    with pytest.raises(DeployError, match=f"the asset bucket {BUCKET} does not exist") as caught:
        check_bucket(moto_client("s3"), BUCKET, account=ACCOUNT, region=REGION, bootstrapped=BUCKET)
    assert caught.value.hint == f"run `iac bootstrap --region {REGION}` once for this account and region"


def test_a_large_template_goes_to_the_bucket_under_its_hash(moto_client: Callable[[str], Any], moto: str) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    published, url = publish_template(s3, BUCKET, '{"Resources": {}}', account=ACCOUNT)
    assert published.key.startswith("templates/") and published.key.endswith(".template")
    assert url == f"{moto}/{BUCKET}/{published.key}"


def test_asset_bytes_that_do_not_hash_to_the_manifest_are_never_deployed(tmp_path: Path) -> None:
    name = f"asset.{SHA}.zip"
    entry = {"file": name, "sha256": SHA, "destination": {"key": f"{SHA}.zip"}}
    (tmp_path / name).write_bytes(DATA)
    assembly = CloudAssembly(stacks=[], directory=str(tmp_path))
    assert asset_bytes(assembly, entry) == DATA
    (tmp_path / name).write_bytes(b"swapped in after synth")
    with pytest.raises(DeployError, match=f"asset {name} does not hold the bytes iac built"):
        asset_bytes(assembly, entry)
    in_memory = CloudAssembly(stacks=[], asset_files={name: b"not what the manifest says"})
    with pytest.raises(DeployError, match="does not hold the bytes iac built"):
        asset_bytes(in_memory, entry)
    with pytest.raises(DeployError, match="does not hold the bytes iac built"):  # a key that is not the hash
        asset_bytes(CloudAssembly(stacks=[], asset_files={name: DATA}), {**entry, "destination": {"key": "other.zip"}})
