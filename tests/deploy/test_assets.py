"""Publishing assets to the bootstrap bucket of the moto server: by content hash, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from local_aws import ACCOUNT, REGION

from iac.deploy.assets import asset_bucket, check_bucket, publish, publish_template
from iac.errors import DeployError

BUCKET = asset_bucket(ACCOUNT, REGION)


def test_an_object_is_uploaded_once_and_skipped_after(moto_client: Callable[[str], Any]) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    first = publish(s3, BUCKET, "abc.zip", b"PK-data")
    again = publish(s3, BUCKET, "abc.zip", b"PK-data")
    assert (first.uploaded, again.uploaded) == (True, False)
    assert s3.get_object(Bucket=BUCKET, Key="abc.zip")["Body"].read() == b"PK-data"


def test_a_missing_bucket_points_at_iac_bootstrap(moto_client: Callable[[str], Any]) -> None:
    with pytest.raises(DeployError, match=f"the asset bucket {BUCKET} does not exist") as caught:
        check_bucket(moto_client("s3"), BUCKET, account=ACCOUNT, region=REGION)
    assert caught.value.hint == f"run `iac bootstrap --region {REGION}` once for this account and region"


def test_a_large_template_goes_to_the_bucket_under_its_hash(moto_client: Callable[[str], Any], moto: str) -> None:
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    published, url = publish_template(s3, BUCKET, '{"Resources": {}}')
    assert published.key.startswith("templates/") and published.key.endswith(".template")
    assert url == f"{moto}/{BUCKET}/{published.key}"
