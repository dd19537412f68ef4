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
  balancers (network ones log only TLS listeners, gateway ones not at all); REST, HTTP and WebSocket
  stages, a REST deployment that makes its stage through `StageName`, and an HTTP API made by quick
  create (`Target`: API Gateway makes its `$default` stage itself, which logs only through an
  `AWS::ApiGatewayV2::ApiGatewayManagedOverrides` with `Stage.AccessLogSettings`); a distribution logs
  through `Logging` or a CloudWatch Logs delivery of its `ACCESS_LOGS` (a delivery source of the
  distribution and a delivery from it). iac's API stages write access logs by default (`access_log=True`).
- **CloudFront's origin leg (IAC-CLOUDFRONT-004) is info, not a warning.** Viewers over HTTP
  (IAC-CLOUDFRONT-002) and old TLS with a certificate of your own (IAC-CLOUDFRONT-003) are warnings: the
  fix is one setting. HTTPS from CloudFront to a custom origin needs a certificate for the origin's
  domain name, which a load balancer's own `*.elb.amazonaws.com` name (iac's
  `HttpOrigin.from_load_balancer`, `http-only` for that reason) or an S3 website endpoint cannot
  present; a VPC origin or a domain of the origin's own is a design choice the template does not show.
  `match-viewer` is found only when a cache behavior sending to that origin (directly or through an
  origin group) lets viewers in over HTTP; otherwise it is HTTPS.
- **Key rotation (IAC-KMS-001).** Only keys KMS can rotate are judged: the schema's default `KeySpec`
  (`SYMMETRIC_DEFAULT`; every other value of its enum is an asymmetric, HMAC, SM2 or ML-DSA key) with
  the default `Origin` (`AWS_KMS`; imported `EXTERNAL` material is rotated by hand). iac's `kms.Key`
  rotates by default.

## Deprecated Lambda runtimes: no IAC rule, and why

A runtime's lifecycle has three dates (deprecated, then blocked for new functions, then for updates),
from the data cfn-lint ships (`LmbdRuntimeLifecycle.json`). In an app, `iac synth` and `iac validate`
judge it with iac's runtime lifecycle rule (iac/constructs/awslambda.py), by iac's date (`IAC_TODAY`,
iac.clock) and the baseline assembly: a function the previous synth already had may still be updated
after the create-block date, a new one may not. cfn-lint's own runtime rules (E2531, E2533, W2531) give
way to it there, so a runtime is reported once.

For a template file (`iac validate FILE`), cfn-lint's three rules in the same pass are the check: a
warning (W2531) from the deprecation date, an error from the create-block date (E2531) and from the
update-block date (E2533), exactly one of them for a function at any date, at the file's line. There is
deliberately no IAC-LAMBDA-003: in an app it would repeat the lifecycle rule's finding, or know less (a
template alone cannot tell a new function from one that exists); in a file it would repeat cfn-lint's,
which nothing in the file pass makes give way. What this leaves: in a file, cfn-lint's rules read the
machine's calendar, not `IAC_TODAY`; making them give way to an iac rule there would take the file
pass dropping them as synth does.

## What checkov covers that iac does not, and why

Measured against checkov's CloudFormation checks (`benchmarks/checks_speed.py --list-checkov-checks`):

- **Services iac has no rules for yet:** AppSync, SageMaker, Bedrock, QLDB, Timestream, WorkSpaces,
  Glue, Athena, DMS, Amazon MQ, MSK, Neptune, DocumentDB, DAX, EKS, Transfer Family, Backup, ECR,
  CodeBuild, Cognito identity pools, ACM wildcard certificates, VPC endpoint services and Lambda
  function URL auth; the legacy `AWS::Elasticsearch::Domain`; Redshift logging, SSL and public access;
  ElastiCache and RDS in-transit encryption; a Lambda permission without `SourceArn` (CKV_AWS_364);
  SSM parameters holding secrets (CKV_AWS_384). Candidates for later rules, one module each.
- **Opinion or cost rather than security:** a Lambda function in a VPC (CKV_AWS_117), API caching (120),
  X-Ray tracing (73), ECS Container Insights (65), RDS enhanced monitoring, Multi-AZ and IAM
  authentication (118, 157, 161, 162), DynamoDB point-in-time recovery (28, 165), security group rule
  descriptions (23), EC2 public IPs (88), a WAF on every distribution (68), multi-region trails (67) and
  CloudTrail KMS encryption (35). Each costs money or is a choice of architecture a template cannot
  judge; iac's constructs offer them as options.
- **Port 80 ingress (CKV_AWS_260):** allowed from anywhere as a web port (IAC-EC2-001 judges every
  other port): a site redirects it to HTTPS (IAC-ELB-001).
- **A customer managed key everywhere (CKV_AWS_158, 173, 149, 136, 27, 119):** those services encrypt
  at rest already with AWS's keys; iac asks for a key of your own only where data marks say so
  (IAC-DYNAMODB-001), and judges the keys you do make (IAC-KMS-001, IAC-KMS-002).
- **IAM action lists (CKV_AWS_107 to 111):** checkov's hand-kept lists of sensitive actions; iac
  judges wildcards by IAM's own service data (which actions an entry covers, which take resources:
  IAC-IAM-001, IAC-IAM-002).

CloudFront's viewer protocol and TLS policy (CKV_AWS_34, CKV_AWS_174) and KMS key rotation and open key
policies (CKV_AWS_7, CKV_AWS_33) are covered: IAC-CLOUDFRONT-002 to 004, IAC-KMS-001 and 002.

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
