"""docs/checks.md, generated from the rules' metadata: `python -m iac.checks.docs` rewrites it."""

from __future__ import annotations

import os
import sys

from iac.checks._registry import all_rules, packs
from iac.checks._run import SUPPRESS_KEY

DOCS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "docs", "checks.md")

INTRO = f"""# Checks

<!-- Generated from the rules in iac/checks/rules/ by `python -m iac.checks.docs`; do not edit. -->

`iac synth` and `iac validate` run these security and best-practice checks over every template: the
stacks an app synthesizes and any template file given to `iac validate FILE` (SAM, hand-written, the
CDK's output), since the rules read templates, not constructs. A finding is reported like any other
problem, at the construct path and the line of your code that made the resource (for a file, its
line), with the rule id and the fix. Errors fail synth; warnings fail it with `--strict`.
`iac validate --list-rules` prints the table below.

A check judges only what the template says: a value computed at deploy time (a `Ref` to a parameter,
`Fn::If`) is never a finding. Findings never show a secret's value.

## Turning rules off

In the project's `pyproject.toml` (the one in the working directory), by rule id or by pack
({", ".join(f"`{pack}`" for pack in packs())}); a rule's own entry wins over its pack's:

```toml
[tool.iac.checks]
logging = false
"IAC-S3-003" = false
"IAC-LOGS-001" = true
```

## Suppressions

Accept a finding where the resource is made, with the reason (required):

```python
import iac
from iac import App, CfnResource, Stack

app = App()
audit = Stack(app, "Audit")
trail_logs = CfnResource(audit, "TrailLogs", type="AWS::Logs::LogGroup")
iac.suppress(trail_logs, "IAC-LOGS-001", reason="audit logs are kept for good, by policy")
```

The suppression is written into the template, so reviewers see the reason and `iac validate` of the
template honours it: on each resource of the construct as
`Metadata: {{"{SUPPRESS_KEY}": [{{"id": "IAC-S3-001", "reason": "..."}}]}}`; for a stack in the template's
own Metadata; for a parameter or output there too, with `"target": "<logical id>"`. Templates written
by hand use the same entries. A suppression that matches no finding is itself a warning
(IAC-CHECK-001), and so is one without a reason or a rule (IAC-CHECK-002, the entry is ignored).
Call `iac.suppress` once the construct is built: resources added to it later are not covered.

## Reports for machines

`iac validate --format json` prints every problem (the checks', the schemas', cfn-lint's, the quotas')
with its rule id, severity, stack, logical id, construct path and file:line, then the suppressed
findings with their reasons and the info-level findings (`notes`), which never fail a run or show in
the text report. `--format sarif` writes the same as SARIF 2.1.0 for code-scanning services: the rules
with their description, why, fix and link; suppressed findings as in-source suppressions with their
justification; info findings at level `note`. The exit status is the text report's.

## Rules
"""


def render() -> str:
    lines = [INTRO, "| Id | Severity | Pack | Description |", "| --- | --- | --- | --- |"]
    lines += [f"| [{rule.id}](#{rule.id.lower()}) | {rule.severity} | {rule.pack} | {rule.description} |"
              for rule in all_rules()]
    for rule in all_rules():
        types = ", ".join(f"`{kind}`" for kind in rule.resource_types) or (
            "the whole template" if rule.template_check else "the template's suppressions")
        lines += ["", f"### {rule.id}", "", f"**{rule.description}** ({rule.severity}, pack `{rule.pack}`; "
                  f"reads {types})", "", f"Why: {rule.why}", "", f"Fix: {rule.fix}", "", f"See: <{rule.url}>"
                  if rule.url.startswith("https://") else f"See: [{rule.url}]({rule.url.removeprefix('docs/')})"]
    return "\n".join(lines) + "\n"


def rule_table() -> str:
    """The rules as `iac validate --list-rules` prints them: id, severity, pack, description."""
    rules = all_rules()
    width = max(len(rule.id) for rule in rules)
    lines = [f"{'ID':<{width}}  SEVERITY  PACK      DESCRIPTION"]
    lines += [f"{rule.id:<{width}}  {rule.severity:<8}  {rule.pack:<8}  {rule.description}" for rule in rules]
    return "\n".join(lines) + "\n"


def main() -> None:
    with open(DOCS_FILE, "w", encoding="utf-8") as handle:
        handle.write(render())
    print(f"wrote {DOCS_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
