"""docs/checks.md, generated from the rules' metadata: `python -m iac.checks.docs` rewrites it."""

from __future__ import annotations

import os
import sys

from iac.checks._logs import LOG_DELIVERY_SERVICES
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

## What some rules take as given

- **Customer data marks (IAC-DYNAMODB-001).** A table holds customer data when it carries the tag
  `data-classification` (key in any case) with one of the values `confidential`, `restricted`,
  `customer` or `pii` (any case); for a global table, on any replica. A tag rather than a template
  annotation because it reaches AWS too (AWS Config, tag policies, ABAC, cost reports). With iac:
  `Tags.of(table).add("data-classification", "pii")`. Such a table needs a key of your own
  (`SSESpecification` with `KMSMasterKeyId`; `alias/aws/dynamodb` is AWS's key, not yours);
  unmarked tables are not judged, since DynamoDB encrypts every table anyway.
- **Log buckets (IAC-S3-005).** A bucket needs no server access logs of its own when the template
  makes it a log bucket: another resource writes logs to it (an S3 bucket's `LoggingConfiguration`,
  a CloudFront distribution's `Logging`, an ELBv2 load balancer's `access_logs.s3.bucket`,
  `connection_logs.s3.bucket` or `health_check_logs.s3.bucket`, a classic load balancer's
  `AccessLoggingPolicy`, CloudTrail, an AWS Config delivery channel, a VPC flow log, a CloudWatch
  Logs delivery destination, WAF or Resolver query logging, by `Ref`/`GetAtt` or by its literal
  name), it has S3's `LogDeliveryWrite` ACL, or its bucket policy allows a log-delivery service
  principal (`{", ".join(LOG_DELIVERY_SERVICES)}`) to put objects. Object ownership
  `BucketOwnerPreferred` alone is not taken as a mark: many buckets that are no log bucket turn ACLs
  on. Logging a log bucket would log the log writes (into itself: without end). iac's `s3.Bucket`
  does not turn access logs on by default, since that needs one log bucket for many buckets, not one
  per bucket: pass `access_logs_bucket=logs` (and `access_logs_prefix=`), which also gives the log
  bucket's policy the statement that lets S3 write there for that bucket only, or suppress the
  finding with the reason.
- **All traffic out (IAC-EC2-004), a warning.** iac's own constructs open only the egress their
  resources need (`ec2.SecurityGroup` lets nothing out unless `allow_all_outbound=True`; services,
  functions and databases add HTTPS or their peers' ports), so an iac app is found only where you
  asked for everything. A group with no `SecurityGroupEgress` at all is found too: EC2 then adds its
  allow-all rule (standalone `AWS::EC2::SecurityGroupEgress` resources do not remove it).
- **Access logs (IAC-ELB-003, IAC-APIGW-002, IAC-CLOUDFRONT-001).** Application and classic load
  balancers (network ones log only TLS listeners, gateway ones not at all); REST, HTTP and WebSocket stages, and a REST deployment
  that makes its stage through `StageName`; a distribution logs through `Logging` or a CloudWatch Logs
  delivery of its `ACCESS_LOGS` (a delivery source of the distribution and a delivery from it). iac's
  API stages write access logs by default (`access_log=True`).

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
