"""CloudFormation's hard quotas, checked before anything is deployed.

Numbers from the CloudFormation quotas page; a template over any of them is rejected by the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac.constructs.core.logical_id import is_valid_logical_id
from iac.errors import Problem
from iac.synth.template import section as template_section

MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
MAX_MAPPINGS = 200
MAX_TEMPLATE_BYTES = 1_048_576  # a template uploaded through S3
MAX_INLINE_TEMPLATE_BYTES = 51_200  # a template passed directly in the API call
MAX_DESCRIPTION_BYTES = 1024

_SECTION_LIMITS = (
    ("Resources", MAX_RESOURCES, "resources"),
    ("Parameters", MAX_PARAMETERS, "parameters"),
    ("Outputs", MAX_OUTPUTS, "outputs"),
    ("Mappings", MAX_MAPPINGS, "mappings"),
)

#: (section, logical id) -> (construct path, source location) of the element that produced it.
Locator = Callable[[str, str], tuple[str | None, Any]]


def check_limits(stack_name: str, template: dict[str, Any], body_bytes: int, locate: Locator) -> list[Problem]:
    """Every quota the template breaks, as problems naming the stack (and element where one is at fault)."""
    problems: list[Problem] = []
    for section, limit, noun in _SECTION_LIMITS:
        count = len(template_section(template, section))
        if count > limit:
            problems.append(
                Problem(
                    f"stack {stack_name!r} has {count} {noun}; CloudFormation allows at most {limit}",
                    path=stack_name,
                    hint="split the app into several stacks (references between them become exports)",
                )
            )
    for section in ("Resources", "Parameters", "Outputs", "Mappings", "Conditions"):
        for logical_id in template_section(template, section):
            if not is_valid_logical_id(logical_id):
                path, location = locate(section, logical_id)
                problems.append(
                    Problem(
                        f"logical id {logical_id!r} is invalid: CloudFormation accepts 1-255 letters and digits",
                        path=path,
                        location=location,
                    )
                )
    description = template.get("Description")
    if isinstance(description, str) and len(description.encode("utf-8")) > MAX_DESCRIPTION_BYTES:
        problems.append(
            Problem(
                f"the description of stack {stack_name!r} is {len(description.encode())} bytes; "
                f"the limit is {MAX_DESCRIPTION_BYTES}",
                path=stack_name,
            )
        )
    if body_bytes > MAX_TEMPLATE_BYTES:
        problems.append(
            Problem(
                f"the template of stack {stack_name!r} is {body_bytes:,} bytes; CloudFormation accepts "
                f"at most {MAX_TEMPLATE_BYTES:,} (1 MB)",
                path=stack_name,
                hint="split the app into several stacks",
            )
        )
    return problems
