"""`iac import --stack NAME`: a deployed stack's original template and parameter values, from the local moto
server the deploy tests use (tests/local_aws.py); nothing talks to AWS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from local_aws import REGION, aws_env, moto, moto_server  # noqa: F401 - fixtures

TEMPLATE = """\
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      QueueName: !Sub "jobs-${Env}"
Outputs:
  Url:
    Value: !Ref Jobs
"""


def _iac(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("iac")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "iac"]
    environment = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([*command, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)


def _deploy(endpoint: str, body: str, parameters: dict[str, str]) -> None:
    import boto3

    client = boto3.client("cloudformation", region_name=REGION, endpoint_url=endpoint)
    client.create_stack(StackName="jobs", TemplateBody=body,
                        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])


def test_a_deployed_stack_imports_with_its_parameter_values(moto: str, tmp_path: Path) -> None:  # noqa: F811
    _deploy(moto, TEMPLATE, {"Env": "prod"})
    completed = _iac("import", "--stack", "jobs", "--region", REGION, "--endpoint-url", moto, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "Wrote app.py: stack jobs, 1 resource",
        "The deployed stack's parameter values (deploy with them): -p Env=prod",
        "Round trip holds: app.py synthesizes to stack jobs (normalized)",
    ]
    source = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert source.startswith('"""The deployed stack jobs, imported by `iac import`."""')
    assert 'queue_name=Fn.sub(f"jobs-{env.ref}")' in source
    checked = _iac("import", "--stack", "jobs", "--check", "--region", REGION, "--endpoint-url", moto, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr


def test_a_json_template_comes_back_parsed_and_imports_the_same(moto: str, tmp_path: Path) -> None:  # noqa: F811
    from iac.synth.loader import loads

    _deploy(moto, json.dumps(loads(TEMPLATE)), {})
    completed = _iac("import", "--stack", "jobs", "-o", "-", "--endpoint-url", moto, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "sqs.Queue(" in completed.stdout and "Round trip holds" in completed.stderr


def test_a_missing_stack_or_both_sources_are_one_message(moto: str, tmp_path: Path) -> None:  # noqa: F811
    missing = _iac("import", "--stack", "nope", "--endpoint-url", moto, cwd=tmp_path)
    assert missing.returncode == 1, missing.stderr
    assert "GetTemplate failed" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    both = _iac("import", "t.yaml", "--stack", "jobs", cwd=tmp_path)
    assert both.returncode == 2 and "name a TEMPLATE file or a deployed --stack NAME" in both.stderr
    neither = _iac("import", cwd=tmp_path)
    assert neither.returncode == 2 and "one of them" in neither.stderr
