"""`iac import`: a CloudFormation or SAM template -> an iac app that synthesizes back to it.

    from iac.importer import import_template, check_app
    source = import_template("stack.yaml", stack_name="Orders")   # the app's Python source
    problems = check_app("app.py", "stack.yaml")                  # [] when the round trip holds

See docs/import.md.
"""

from __future__ import annotations

from typing import Any

from iac.importer.generate import generate, stack_name_from
from iac.importer.roundtrip import canonical, differences, synthesized_template

__all__ = ["canonical", "check_app", "differences", "generate", "import_template", "read_template",
           "stack_name_from", "synthesized_template"]


def read_template(path: str) -> dict[str, Any]:
    """A template file (JSON, or YAML with short-form tags), as iac.synth.loader reads it."""
    from iac.synth.loader import load

    return load(path)


def import_template(path: str, *, stack_name: str | None = None) -> str:
    """The source of an app whose one stack synthesizes to the template at `path`."""
    return generate(read_template(path), stack_name=stack_name or stack_name_from(path), source=path)


def check_app(app_path: str, template_path: str, *, stack_name: str | None = None) -> list[str]:
    """The differences between the template at `template_path` and what the app synthesizes."""
    return differences(read_template(template_path), synthesized_template(app_path, stack_name))
