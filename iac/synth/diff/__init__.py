"""`iac diff`: predict CloudFormation's change set offline, from two templates and the registry schemas.

    from iac.synth.diff import diff_templates
    stack_diff = diff_templates(old_template, new_template, stack="Network")
    for change in stack_diff.resources: print(change.action, change.logical_id, change.replacement)
"""

from iac.synth.diff.model import (
    DiffResult,
    Finding,
    ResourceChange,
    RuleChange,
    StackDiff,
    StatementChange,
    ValueChange,
)
from iac.synth.diff.stack import diff_pairs, diff_templates

__all__ = [
    "DiffResult",
    "Finding",
    "ResourceChange",
    "RuleChange",
    "StackDiff",
    "StatementChange",
    "ValueChange",
    "diff_pairs",
    "diff_templates",
]
