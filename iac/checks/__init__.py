"""Security and best-practice checks, run by synth and validate over every template.

Rules read templates, never constructs, so they judge a synthesized stack and any template file alike.
Each rule is a module of iac.checks.rules with a stable id (IAC-S3-001), a severity (errors fail synth,
warnings fail it with --strict), a description, why it matters, the fix and a documentation link.
`[tool.iac.checks]` in pyproject.toml turns rules or packs off; `iac.suppress(construct, id, reason=)`
accepts a finding where it is made, and writes the reason into the template for reviewers.
"""

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._registry import all_rules, packs, rule_by_id
from iac.checks._run import SUPPRESS_KEY, CheckResult, finds, run_checks
from iac.checks.config import Selection, project_selection, selection_from
from iac.checks.suppress import suppress

__all__ = [
    "SUPPRESS_KEY",
    "CheckResult",
    "Finding",
    "Rule",
    "Selection",
    "TemplateResource",
    "all_rules",
    "finds",
    "packs",
    "project_selection",
    "rule_by_id",
    "run_checks",
    "selection_from",
    "suppress",
]
