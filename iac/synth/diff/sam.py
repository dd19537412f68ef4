"""SAM templates (`Transform: AWS::Serverless-2016-10-31`) diffed as CloudFormation will deploy them.

AWS::Serverless::* types have no registry schema, so compared as written every change to one would be "may
replace". Instead both templates are expanded with the SAM translator (aws-sam-translator, the `sam` extra,
pinned: the translation CloudFormation applies), offline, the way cfn-lint used to call it: an empty managed
policy map (the translator knows the common AWS managed policies), a session stand-in that only names the
region, and local artifact paths (CodeUri: ./src) turned into S3 URIs, since packaging happens at deploy time.
Each expanded resource maps back to the SAM resource the user wrote: the translator names what it makes
<SamId><Suffix> (FnRole, FnVersion1a2b3c, FnAliaslive), so the longest SAM logical id that prefixes it is its
origin; the implicit APIs (ServerlessRestApi..., ServerlessHttpApi...) and the shared CodeDeploy application
are their own origin.

When the translator is not installed, or the translation fails (an invalid SAM template), the template is
compared as written, and a note says why.
"""

from __future__ import annotations

import copy
import logging
import os
from typing import Any

import attrs

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAM_PREFIX = "AWS::Serverless::"
#: Resources the translator makes for several SAM resources at once (named without a SAM resource's id).
IMPLICIT = ("ServerlessRestApi", "ServerlessHttpApi", "ServerlessDeploymentApplication", "CodeDeployServiceRole")
#: Properties that name a local artifact, per SAM type: packaged (uploaded to S3) at deploy time.
_ARTIFACTS = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::GraphQLApi": ("SchemaUri",),
    "AWS::Serverless::Application": ("Location",),
}
_PLACEHOLDER_BUCKET = "iac-diff-sam-artifacts"


@attrs.frozen(kw_only=True)
class Expansion:
    """A template as CloudFormation deploys it, and where each of its resources comes from."""

    template: dict[str, Any]
    #: expanded logical id -> (SAM logical id, SAM type) it comes from; absent for resources written as they are.
    origins: dict[str, tuple[str, str]]
    note: str | None = None


def is_sam(template: dict[str, Any] | None) -> bool:
    if not isinstance(template, dict):
        return False
    transform = template.get("Transform")
    return transform == SAM_TRANSFORM or (isinstance(transform, list) and SAM_TRANSFORM in transform)


def expand(template: dict[str, Any], region: str | None, parameters: dict[str, str] | None = None) -> Expansion:
    """`template` expanded by the SAM translator (the template itself, with a note, when that cannot be done).

    `parameters` are the values it is deployed with (the translator resolves some properties with them, such as
    an AutoPublishAlias: !Ref Alias); the others take their defaults."""
    try:
        from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]
        from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]
    except ImportError:
        return Expansion(template=template, origins={},
                         note="aws-sam-translator is not installed (pip install 'iac-cfn[sam]'): AWS::Serverless "
                              "resources are compared as written, so any change to one may replace it")
    source = copy.deepcopy(template)
    sam_resources = _sam_resources(source)
    _package_locally(source)
    if isinstance(source.get("Transform"), list):  # other transforms (macros) are left for CloudFormation
        source["Transform"] = SAM_TRANSFORM
    try:
        translator = Translator(managed_policy_map={}, sam_parser=Parser(), boto_session=_Session(region))
        quiet = logging.getLogger("samtranslator")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # its feature toggles warn of every feature their (empty) config lacks
        try:
            expanded = translator.translate(source, parameter_values=dict(parameters or {}))
        finally:
            quiet.setLevel(level)
            translator.metrics.publish()  # to its no-op publisher: else it warns when collected
    except Exception as error:  # the translator raises many kinds (InvalidDocumentException, ValueError, ...)
        return Expansion(template=template, origins={},
                         note=f"the SAM transform failed ({_message(error)}): AWS::Serverless resources are compared "
                              "as written, so any change to one may replace it")
    if isinstance(template.get("Transform"), list) and len(template["Transform"]) > 1:
        expanded["Transform"] = [name for name in template["Transform"] if name != SAM_TRANSFORM]
    resources = expanded.get("Resources")
    written = set(template["Resources"]) - set(sam_resources) if isinstance(template.get("Resources"), dict) else set()
    origins = _origins(resources if isinstance(resources, dict) else {}, sam_resources, written)
    return Expansion(template=expanded, origins=origins)


class _Session:
    """What the translator asks of a boto3 session: the region (for the partition and AWS::Region)."""

    def __init__(self, region: str | None) -> None:
        self.region_name = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") \
            or "us-east-1"


def _sam_resources(template: dict[str, Any]) -> dict[str, str]:
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {logical_id: resource["Type"] for logical_id, resource in resources.items()
            if isinstance(resource, dict) and isinstance(resource.get("Type"), str)
            and resource["Type"].startswith(SAM_PREFIX)}


def _package_locally(template: dict[str, Any]) -> None:
    """Local artifact paths as the S3 URIs `sam package` would give them (the path stands for the content: an
    edited path still changes the code, an unchanged one is presumed to hold the same code)."""
    resources = template.get("Resources")
    for resource in resources.values() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        properties = resource["Properties"]
        for name in _ARTIFACTS.get(resource.get("Type", ""), ()):
            value = properties.get(name)
            if resource["Type"] == "AWS::Serverless::Application" and isinstance(value, dict) \
                    and "ApplicationId" in value:
                # a Serverless Application Repository app: its template is fetched at deploy time (an AWS call)
                value = f"sar/{value.get('ApplicationId')}/{value.get('SemanticVersion')}"
            if isinstance(value, str) and not value.startswith(("s3://", "https://", "http://")):
                path = value.replace(os.sep, "/").lstrip("./") or "artifact"
                properties[name] = f"s3://{_PLACEHOLDER_BUCKET}/{path}" if name != "Location" else \
                    f"https://{_PLACEHOLDER_BUCKET}.s3.amazonaws.com/{path}"


def _origins(resources: dict[str, Any], sam_resources: dict[str, str], written: set[str]
             ) -> dict[str, tuple[str, str]]:
    by_length = sorted(sam_resources, key=len, reverse=True)
    origins: dict[str, tuple[str, str]] = {}
    for logical_id in resources:
        if logical_id in written:
            continue  # a plain resource of the template (FnAlarm beside a function Fn)
        owner = next((sam_id for sam_id in by_length if logical_id.startswith(sam_id)), None)
        if owner is not None:
            origins[logical_id] = (owner, sam_resources[owner])
            continue
        implicit = next((name for name in IMPLICIT if logical_id.startswith(name)), None)
        if implicit is not None:
            origins[logical_id] = (implicit, "AWS::Serverless::Api" if implicit == "ServerlessRestApi"
                                   else "AWS::Serverless::HttpApi" if implicit == "ServerlessHttpApi"
                                   else "AWS::Serverless::Function")
    return origins


def _message(error: Exception) -> str:
    causes = getattr(error, "causes", None)
    text = "; ".join(str(getattr(cause, "message", cause)) for cause in causes) if causes else str(error)
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."
