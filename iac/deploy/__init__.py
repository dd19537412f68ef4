"""Deploying through CloudFormation change sets: `iac bootstrap`, `iac deploy`, `iac destroy`, `iac diff --live`.

A layer beside the CLI: it reads a cloud assembly (iac.synth) and talks to CloudFormation and S3
through boto3, an optional extra (`pip install 'iac-cfn[deploy]'`) imported only when a command
needs it. It never prints; it tells a Reporter (iac.deploy.reporter) what happens.

    from iac.deploy import AwsSession, Deployment, SilentReporter
    session = AwsSession(region="eu-west-1")
    results = Deployment(session, assembly, reporter=SilentReporter()).run(assembly.stacks)

The names below load their modules on first use, so `import iac.deploy` costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "APPROVAL_LEVELS": "iac.deploy.approval",
    "AwsSession": "iac.deploy.session",
    "Deployment": "iac.deploy.deployment",
    "StackResult": "iac.deploy.deployment",
    "Reporter": "iac.deploy.reporter",
    "Review": "iac.deploy.reporter",
    "SilentReporter": "iac.deploy.reporter",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'iac.deploy' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
