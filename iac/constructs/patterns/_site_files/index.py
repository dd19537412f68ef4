"""The custom resource behind iac's StaticWebsite (Custom::SiteFiles): it puts a site's files in place.

On Create and Update CloudFormation calls it with the site's asset (the zip `iac deploy` published to the
asset bucket: SourceBucket, SourceKey), the site bucket (DestinationBucket) and the distribution
(DistributionId). It writes every file of the zip into the bucket with its content type, deletes the keys
the zip no longer holds, and on Update asks CloudFront to invalidate "/*" (it does not wait for the
invalidation to finish). On Delete it does nothing: the files stay in the (retained) bucket.

It runs in Lambda (boto3 is there) and uses the standard library otherwise. iac packs this folder as the
function's code; it is not imported by iac itself.
"""

from __future__ import annotations

import io
import json
import mimetypes
import urllib.request
import zipfile
from typing import Any

#: Content types the Lambda image's mimetypes table may not know, for files a site commonly holds.
EXTRA_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
               ".svg": "image/svg+xml", ".wasm": "application/wasm", ".webp": "image/webp",
               ".woff2": "font/woff2", ".txt": "text/plain", ".map": "application/json"}


def handler(event: dict[str, Any], context: Any) -> None:
    """Lambda's entry point: do the work, then tell CloudFormation how it went (it waits for the answer)."""
    try:
        data = on_event(event)
    except Exception as error:  # noqa: BLE001 - every failure must reach CloudFormation, or the stack hangs
        respond(event, "FAILED", reason=f"{type(error).__name__}: {error}"[:1000])
        return
    respond(event, "SUCCESS", data=data)


def on_event(event: dict[str, Any], *, s3: Any = None, cloudfront: Any = None) -> dict[str, Any]:
    """The work of one request; returns the Data of the response."""
    if event["RequestType"] == "Delete":
        return {}
    import boto3

    properties = event["ResourceProperties"]
    s3 = s3 or boto3.client("s3")
    body = s3.get_object(Bucket=properties["SourceBucket"], Key=properties["SourceKey"])["Body"].read()
    bucket = properties["DestinationBucket"]
    written = put_files(s3, bucket, body)
    removed = remove_others(s3, bucket, keep=set(written))
    invalidation = ""
    if event["RequestType"] == "Update" and properties.get("DistributionId"):
        cloudfront = cloudfront or boto3.client("cloudfront")
        answer = cloudfront.create_invalidation(DistributionId=properties["DistributionId"], InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": event["RequestId"]})
        invalidation = answer["Invalidation"]["Id"]
    return {"Files": str(len(written)), "Removed": str(len(removed)), "InvalidationId": invalidation}


def content_type(key: str) -> str:
    extension = key[key.rfind("."):].lower() if "." in key.rsplit("/", 1)[-1] else ""
    return EXTRA_TYPES.get(extension) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def put_files(s3: Any, bucket: str, zipped: bytes) -> list[str]:
    """Every file of the zip, under its path in the zip; the keys written, in order."""
    keys = []
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            s3.put_object(Bucket=bucket, Key=info.filename, Body=archive.read(info),
                          ContentType=content_type(info.filename))
            keys.append(info.filename)
    return keys


def remove_others(s3: Any, bucket: str, *, keep: set[str]) -> list[str]:
    """Delete the keys of the bucket the site no longer has; the keys deleted."""
    stale: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        stale.extend(item["Key"] for item in page.get("Contents", ()) if item["Key"] not in keep)
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in stale[start:start + 1000]],
                                                 "Quiet": True})
    return stale


def respond(event: dict[str, Any], status: str, *, data: dict[str, Any] | None = None, reason: str = "") -> None:
    """PUT the answer to the presigned URL CloudFormation gave (the custom resource response protocol)."""
    body = json.dumps({
        "Status": status, "Reason": reason or status,
        "PhysicalResourceId": event.get("PhysicalResourceId") or event["ResourceProperties"]["DestinationBucket"],
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        "Data": data or {},
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - CloudFormation's https URL
        answer.read()
