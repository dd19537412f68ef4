"""The secrets scan (iac.synth.secrets) as rules: one scan of the template per run of the rules, its
findings split by rule id."""

from collections.abc import Callable, Iterator

from iac.checks._model import Finding, Rule, Run
from iac.synth import secrets


def _scan(run: Run) -> list[secrets.SecretFinding]:
    """The template's secret findings; `run.once(_scan)` scans once for the three rules of a run."""
    return list(secrets.secret_findings(run.template))


def _by_rule(rule_id: str) -> Callable[[Run], Iterator[Finding]]:
    def check(run: Run) -> Iterator[Finding]:
        for found in run.once(_scan):
            if found.rule_id == rule_id:
                yield Finding(found.message, found.path)

    return check


URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html"
RULES = (
    Rule(
        id=secrets.NOECHO_DEFAULT,
        severity="warning",
        pack="secrets",
        description="A NoEcho parameter has a Default",
        why="NoEcho hides the value CloudFormation is given, not the default: the default is in the template, "
            "in clear, for anyone who can read it (GetTemplate, the assembly, the repository).",
        fix="Remove the Default and pass the value at deploy time, or use a dynamic reference.",
        url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html",
        template_check=_by_rule(secrets.NOECHO_DEFAULT),
    ),
    Rule(
        id=secrets.SECRET_BY_NAME,
        severity="warning",
        pack="secrets",
        description="A value named like a secret (password, secret, token, key) is a literal",
        why="A template is stored by CloudFormation, copied into iac.out/, committed and printed by diffs: a "
            "password in it is a password published.",
        fix=secrets.FIX,
        url=URL,
        template_check=_by_rule(secrets.SECRET_BY_NAME),
    ),
    Rule(
        id=secrets.CREDENTIAL_VALUE,
        severity="warning",
        pack="secrets",
        description="A value is an AWS access key id or a private key",
        why="A credential recognisable by its text is one whoever reads the template can use.",
        fix="Rotate the credential, then take it out: " + secrets.FIX,
        url=URL,
        template_check=_by_rule(secrets.CREDENTIAL_VALUE),
    ),
)
