"""How long `iac import` takes on a 500-resource template (issue 19: under a second, whole process). Prints
figures; not a test.

    .venv/bin/python benchmarks/import_template_speed.py            # 5 runs of each
    .venv/bin/python benchmarks/import_template_speed.py --runs 9 --resources 500

The template is made here, deterministically: groups of a queue, a topic subscribed to it, a queue policy
and an SSM parameter naming both (Ref, GetAtt, Fn::Sub with pseudo parameters, DependsOn), plus a
parameter, a condition and outputs, so the generator follows references and the round trip compares real
values. Figures: the whole `iac import` process (interpreter start, imports, generation, writing, the
in-process synthesis of the written app and the comparison), wall clock and CPU (user + system: what
the process itself costs on a busy machine), and, in this process, generation alone and the round trip
alone. Medians with min-max. The child processes have bytecode caches, as a user's Python writes them
(in a temporary PYTHONPYCACHEPREFIX, filled by one untimed warm-up run), so the figure is not the cost
of compiling iac; the generated app itself is compiled on every run, as `iac import` runs it fresh.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any


def template(resources: int) -> dict[str, Any]:
    body: dict[str, Any] = {}
    groups = max(1, resources // 4)
    for number in range(groups):
        queue, topic = f"Queue{number}", f"Topic{number}"
        body[queue] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60 + number % 5,
                                                                  "Tags": [{"Key": "group", "Value": str(number)}]}}
        body[topic] = {"Type": "AWS::SNS::Topic", "Condition": "IsProd", "Properties": {
            "DisplayName": {"Fn::Sub": f"${{Env}}-{number}-${{AWS::Region}}"},
            "Subscription": [{"Protocol": "sqs", "Endpoint": {"Fn::GetAtt": [queue, "Arn"]}}]}}
        body[f"Policy{number}"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [{"Ref": queue}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": {"Fn::GetAtt": [queue, "Arn"]},
                "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": topic}}}}]}}}
        body[f"Name{number}"] = {"Type": "AWS::SSM::Parameter", "DependsOn": [f"Policy{number}"], "Properties": {
            "Type": "String", "Value": {"Fn::Sub": f"${{{queue}.Arn}}|${{{topic}}}|${{AWS::AccountId}}"}}}
    return {
        "Description": f"{len(body)} resources for benchmarks/import_template_speed.py",
        "Parameters": {"Env": {"Type": "String", "Default": "prod", "AllowedValues": ["dev", "prod"]}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": body,
        "Outputs": {f"Url{n}": {"Value": {"Ref": f"Queue{n}"},
                                "Export": {"Name": {"Fn::Sub": f"${{AWS::StackName}}-{n}"}}}
                    for n in range(min(groups, 20))},
    }


def _median(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms  (min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--resources", type=int, default=500)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="iac-import-speed-") as folder:
        return _measure(folder, options.runs, options.resources)


def _measure(folder: str, runs: int, resources: int) -> int:
    from iac.importer import differences, generate, synthesized_template

    path = os.path.join(folder, "big.json")
    document = template(resources)
    with open(path, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=1)
    iac = os.path.join(os.path.dirname(sys.executable), "iac")
    command = [iac] if os.path.exists(iac) else [sys.executable, "-m", "iac"]
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "pycache")
    subprocess.run([*command, "import", path, "-o", "warm-up.py"], cwd=folder, env=environment, capture_output=True)
    whole, cpu, generation, round_trip = [], [], [], []
    for run in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        completed = subprocess.run([*command, "import", path, "-o", f"app{run}.py"], cwd=folder, env=environment,
                                   capture_output=True, text=True)
        whole.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if completed.returncode != 0:
            print(completed.stdout + completed.stderr, file=sys.stderr)
            return 1
        started = time.perf_counter()
        source = generate(document, stack_name="big")
        generation.append(time.perf_counter() - started)
        app = os.path.join(folder, f"inproc{run}.py")
        with open(app, "w", encoding="utf-8") as file:
            file.write(source)
        started = time.perf_counter()
        found = differences(document, synthesized_template(app))
        round_trip.append(time.perf_counter() - started)
        assert not found, found[:5]
    print(f"iac import of {len(document['Resources'])} resources ({os.path.getsize(path):,} bytes of JSON), "
          f"{runs} runs")
    print(f"  whole process:        {_median(whole)}")
    print(f"  whole process, CPU:   {_median(cpu)}")
    print(f"  generation alone:     {_median(generation)}")
    print(f"  round trip alone:     {_median(round_trip)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
