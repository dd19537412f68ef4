"""IAC-DIFF-008: an export another stack imports changes or disappears, which CloudFormation refuses."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding

RULE = DiffRule(
    id="IAC-DIFF-008", kind="deployability", severity="error",
    title="export in use",
    description="An output's export changes value or is removed while another stack imports it: \"Cannot update "
                "export ... as it is in use by ...\".",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html",
)


def finding(output_id: str, name: str, problem: str, users: list[str]) -> Finding:
    return RULE.finding(
        output_id,
        f"export {name!r} {problem}, but stack {', '.join(users)} imports it: CloudFormation refuses to update or "
        "delete an export in use",
        fix="deploy in two steps: first make the importing stack stop using the export (or give the new value a "
            "new export name), then change this stack")
