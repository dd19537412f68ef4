"""A deployed stack's template as it was given to CloudFormation (GetTemplate, stage Original: before any
transform runs, so a SAM app stays a SAM app) and its parameter values. Needs boto3 (the deploy extra)."""

from __future__ import annotations

import json
from typing import Any


def deployed_template(stack: str, *, region: str | None = None, profile: str | None = None,
                      endpoint_url: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """(the template, parameter name -> value) of the deployed stack `stack` (a name or a stack id)."""
    from iac.deploy.session import AwsSession, aws_errors
    from iac.synth.loader import loads

    session = AwsSession(profile=profile, region=region, endpoint_url=endpoint_url)
    client = session.client("cloudformation", session.region())
    with aws_errors():
        body = client.get_template(StackName=stack, TemplateStage="Original")["TemplateBody"]
        described = client.describe_stacks(StackName=stack)["Stacks"]
    where = f"stack {stack}"
    # boto3 hands a JSON body over already parsed, YAML as text
    template = loads(body if isinstance(body, str) else json.dumps(body), file=where)
    parameters = {entry["ParameterKey"]: str(entry.get("ResolvedValue", entry.get("ParameterValue", "")))
                  for entry in (described[0].get("Parameters") or [] if described else [])}
    return template, parameters
