"""Where the facts iac takes from cfn-lint live: its CloudFormation schemas and additional specs.

cfn-lint's version is bounded in pyproject.toml, so these facts (resource schemas, Lambda runtime
lifecycle, stateful types) change only when that bound does. Every layer may read them.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from typing import Any

from iac.errors import UsageError


@functools.cache
def cfn_lint_data_root() -> str:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise UsageError("cfn-lint is not installed; reinstall iac (pip install iac-cfn)")
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


@functools.cache
def additional_spec(name: str) -> Any:
    """A JSON file of cfn-lint's data/AdditionalSpecs, e.g. "LmbdRuntimeLifecycle"."""
    with open(os.path.join(cfn_lint_data_root(), "AdditionalSpecs", f"{name}.json"), encoding="utf-8") as handle:
        return json.load(handle)
