"""What iac's checks cost at scale, CPU time in process, with the collector paused as synth pauses it.

    .venv/bin/python benchmarks/checks_scale.py               # 9 runs, median
    .venv/bin/python benchmarks/checks_scale.py --runs 15 --resources 3000

1. The generated app of benchmarks/synth_speed.py (`--resources`, default 10,000, in stacks of 500),
   synthesized in this process: `secret_findings` (iac.synth.secrets) and `run_checks` over its templates.
2. A template made for the rules that look at other resources (buckets with access logs and a TLS-only
   policy, log buckets, roles, managed policies, functions with an EventInvokeConfig), at two sizes:
   each rule's time, to show that no rule's cost grows faster than the template (a rule that asks every
   pair of resources does).

The machine may be shared: `uptime` is printed before and after.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for folder in (ROOT, os.path.join(ROOT, "benchmarks")):
    if folder not in sys.path:
        sys.path.insert(0, folder)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "(uptime not available)"


def cpu_ms(work: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(median, min) CPU milliseconds of `work` over `runs` runs."""
    spent = []
    for _ in range(runs):
        started = time.process_time()
        work()
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent), min(spent)


def generated_app_templates(resources: int) -> list[dict[str, Any]]:
    import synth_speed

    from iac.cli.app_loader import load_app
    from iac.synth import synthesize

    with tempfile.TemporaryDirectory(prefix="iac-checks-scale-") as folder:
        app_file, _ = synth_speed.write_apps(folder, resources, 500)
        assembly = synthesize(load_app(app_file))
        return [assembly.template(artifact.name) for artifact in assembly.stacks]


def related_resources(count: int) -> dict[str, Any]:
    """`count` of each: a bucket logging to its own log bucket, its TLS-only policy, a role with an inline
    policy, a managed policy, a function and its EventInvokeConfig (7 resources per count)."""
    resources: dict[str, Any] = {}
    for i in range(count):
        resources[f"Bucket{i}"] = {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": f"data-{i}", "LoggingConfiguration": {"DestinationBucketName": {"Ref": f"Logs{i}"}}}}
        resources[f"Logs{i}"] = {"Type": "AWS::S3::Bucket", "Properties": {}}
        resources[f"Policy{i}"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": f"Bucket{i}"}, "PolicyDocument": {"Statement": [{
                "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}
        resources[f"Role{i}"] = {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "Policies": [{"PolicyName": "read", "PolicyDocument": {"Statement": [{
                "Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": f"arn:aws:s3:::data-{i}/*"}}]}}]}}
        resources[f"Managed{i}"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
            "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}}}
        resources[f"Function{i}"] = {"Type": "AWS::Lambda::Function", "Properties": {
            "Role": {"Fn::GetAtt": [f"Role{i}", "Arn"]}}}
        resources[f"Invoke{i}"] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": {"Ref": f"Function{i}"}, "Qualifier": "$LATEST",
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}}}}
    return {"Resources": resources}


def per_rule_ms(template: dict[str, Any]) -> dict[str, float]:
    from iac.checks import all_rules
    from iac.checks._model import Run

    run = Run(template)
    spent: dict[str, float] = {}
    for rule in all_rules():
        started = time.process_time()
        for _ in rule.findings(template, run):
            pass
        spent[rule.id] = (time.process_time() - started) * 1000
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per figure (default 9)")
    parser.add_argument("--resources", type=int, default=10000, help="resources of the generated app (10,000)")
    parser.add_argument("--related", type=int, nargs=2, default=(100, 400), metavar=("SMALL", "LARGE"),
                        help="counts of the related-resources template (default 100 400: 700 and 2,800 resources)")
    args = parser.parse_args()

    from iac.checks import run_checks
    from iac.synth.secrets import secret_findings

    print(f"load before: {uptime()}")
    templates = generated_app_templates(args.resources)
    run_checks(templates[0])  # the rules imported, the caches warm
    gc.disable()  # as synth runs the checks (iac.synth.collector)
    print(f"generated app, {args.resources} resources in {len(templates)} stacks (CPU ms, median and min of "
          f"{args.runs}):")
    for label, work in (("secret_findings", lambda: [secret_findings(t) for t in templates]),
                        ("run_checks", lambda: [run_checks(t) for t in templates])):
        median, least = cpu_ms(work, args.runs)
        print(f"  {label:<18}{median:8.1f}  (min {least:.1f})")
    print("related-resources template, run_checks and its costliest rules (CPU ms, median and min):")
    for count in args.related:
        template = related_resources(count)
        run_checks(template)

        def check(template: dict[str, Any] = template) -> None:
            run_checks(template)

        median, least = cpu_ms(check, max(3, args.runs // 3))
        passes = [per_rule_ms(template) for _ in range(3)]
        costs = {rule_id: statistics.median(found[rule_id] for found in passes) for rule_id in passes[0]}
        costliest = sorted(costs.items(), key=lambda item: -item[1])[:4]
        print(f"  {len(template['Resources']):>6} resources  {median:8.1f}  (min {least:.1f})   "
              + "  ".join(f"{rule_id} {spent:.1f}" for rule_id, spent in costliest))
    gc.enable()
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
