"""The shared run of the rules gives what each rule gives alone, with suppressions matched the plain way.

run_checks walks a template's resources once (iac.checks._model.Run: the index by type, the resources'
suppression entries, one TemplateResource per resource shared by every rule and by `others`) and matches a
finding only against its own rule's suppressions. The reference below runs every rule on a Run of its own
and matches each finding against every entry, as run_checks did before: on every template under tests/ and
every sample's stacks, both must give the same results in the same order.
"""

from __future__ import annotations

from random import Random
from typing import Any

import pytest
from template_corpus import sample_count, sample_stacks, templates_under_tests

from iac.checks import SUPPRESS_KEY, _logs, all_rules, run_checks
from iac.checks._logs import log_target, names_bucket
from iac.checks._model import Finding, Run, TemplateResource, resources_by_type, section
from iac.checks._policy import (
    IDENTITY_POLICY_TYPES,
    INLINE_POLICIES,
    POLICY_DOCUMENTS,
    _names,
    identity_statements,
    is_permissions_boundary,
    statements,
)
from iac.checks._run import CheckResult, Suppression, _entry, _suppression_findings
from iac.checks._values import referenced_ids, refers_to, text_of
from iac.checks.config import EVERY_RULE, selection_from
from iac.checks.rules import lambda_002_failure_destination, s3_002_tls_only


def plain_suppressions(template: dict[str, Any]) -> tuple[list[Suppression], list[Any]]:
    """The suppression entries read by a walk of their own over the template."""
    entries: list[Suppression] = []
    problems: list[Any] = []
    places: list[tuple[tuple[str | int, ...], Any]] = [((), section(template, "Metadata").get(SUPPRESS_KEY))]
    for logical_id, resource in section(template, "Resources").items():
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        if isinstance(metadata, dict) and SUPPRESS_KEY in metadata:
            places.append((("Resources", str(logical_id)), metadata[SUPPRESS_KEY]))
    for scope, value in places:
        if value is None:
            continue
        base = (*scope, "Metadata", SUPPRESS_KEY)
        items = value if isinstance(value, list) else None
        if items is None:
            problems.append(Finding(f"{'.'.join(str(part) for part in base)} must be a list of {{id, reason}} "
                                    "entries", base))
            continue
        for index, item in enumerate(items):
            entry, problem = _entry(item, scope, (*base, index))
            if entry is not None:
                entries.append(entry)
            if problem is not None:
                problems.append(problem)
    return entries, problems


def reference_run_checks(template: dict[str, Any], selection: Any = EVERY_RULE) -> list[CheckResult]:
    entries, problems = plain_suppressions(template)
    used: set[Suppression] = set()
    results: list[CheckResult] = []
    for rule in all_rules():
        if not selection.enabled(rule):
            continue
        for finding in rule.findings(template):  # a Run of its own: nothing shared with the other rules
            match = next((s for s in entries if s.rule_id == rule.id and s.covers(finding)), None)
            if match is not None:
                used.add(match)
            results.append(CheckResult(rule, finding, match.reason if match is not None else None))
    results.extend(_suppression_findings(entries, used, problems, selection))
    return results


def _test_templates() -> list[tuple[str, dict[str, Any]]]:
    return [(name, template) for name, template in templates_under_tests() if isinstance(template, dict)]


def _described(results: list[CheckResult]) -> list[tuple[str, str, tuple[str | int, ...], str | None]]:
    return [(r.rule.id, r.finding.message, r.finding.path, r.suppressed_by) for r in results]


def test_every_template_under_tests_gives_what_rules_run_alone_give() -> None:
    templates = _test_templates()
    assert len(templates) > 100
    suppressed = found = 0
    for name, template in templates:
        fast = run_checks(template)
        assert _described(fast) == _described(reference_run_checks(template)), name
        found += len(fast)
        suppressed += sum(1 for r in fast if r.suppressed_by is not None)
    assert found > 100 and suppressed > 0  # findings, and suppressed ones, were compared


def test_every_samples_stacks_give_what_rules_run_alone_give() -> None:
    stacks = sample_stacks()
    assert len(stacks) >= sample_count()
    for name, template in stacks:
        assert _described(run_checks(template)) == _described(reference_run_checks(template)), name


def test_a_selection_gives_what_rules_run_alone_give() -> None:
    selection = selection_from({"IAC-LOGS-001": False, "storage": False})
    for name, template in _test_templates():
        assert _described(run_checks(template, selection)) == _described(
            reference_run_checks(template, selection)), name


TEMPLATE: dict[str, Any] = {
    "Metadata": {SUPPRESS_KEY: [{"id": "IAC-LOGS-001", "reason": "the template's", "target": "Second"}]},
    "Resources": {
        "First": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": False},
                  "Metadata": {SUPPRESS_KEY: [{"id": "IAC-SQS-001", "reason": "test queue"},
                                              {"id": "IAC-LOGS-001", "reason": "matches nothing here"}]}},
        "Second": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "NoType": {"Properties": {}},
        "Text": "not a resource",
        "Third": {"Type": "AWS::Logs::LogGroup", "Metadata": {SUPPRESS_KEY: "not a list"}},
    },
}


def test_suppressions_of_resources_and_of_the_template_are_matched_per_rule() -> None:
    results = _described(run_checks(TEMPLATE))
    assert results == _described(reference_run_checks(TEMPLATE))
    assert [(rule_id, path, reason) for rule_id, _, path, reason in results] == [
        ("IAC-LOGS-001", ("Resources", "First"), None),
        ("IAC-LOGS-001", ("Resources", "Second"), "the template's"),
        ("IAC-LOGS-001", ("Resources", "Third"), None),
        ("IAC-SQS-001", ("Resources", "Queue", "Properties", "SqsManagedSseEnabled"), "test queue"),
        ("IAC-CHECK-002", ("Resources", "Third", "Metadata", SUPPRESS_KEY), None),  # the suppressions' own, last
        ("IAC-CHECK-001", ("Resources", "Queue", "Metadata", SUPPRESS_KEY, 1), None),
    ]


def test_one_walk_finds_the_index_and_the_resources_suppressions() -> None:
    run = Run(TEMPLATE)
    assert run.index == resources_by_type(TEMPLATE)
    assert {kind: [logical_id for _, logical_id, _ in items] for kind, items in run.index.items()} == {
        "AWS::Logs::LogGroup": ["First", "Second", "Third"], "AWS::SQS::Queue": ["Queue"]}
    assert [logical_id for logical_id, _ in run.resource_suppressions] == ["Queue", "Third"]


@pytest.mark.parametrize("types", [("AWS::Logs::LogGroup",), ("AWS::SQS::Queue", "AWS::Logs::LogGroup"),
                                   ("AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::Logs::LogGroup"),
                                   ("AWS::S3::Bucket",), ()])
def test_of_types_is_template_order_and_shares_one_resource_object_per_resource(types: tuple[str, ...]) -> None:
    run = Run(TEMPLATE)
    first = list(run.of_types(*types))
    expected = [logical_id for logical_id, entry in TEMPLATE["Resources"].items()
                if isinstance(entry, dict) and entry.get("Type") in types]
    assert [resource.logical_id for resource in first] == expected
    assert all(resource.run is run and resource.template is TEMPLATE for resource in first)
    again = {resource.logical_id: resource for resource in run.of_types(*reversed(types))}
    assert all(again[resource.logical_id] is resource for resource in first)
    if first:
        assert [other.logical_id for other in first[0].others(*types)] == expected[1:]


# -- the checks that look at other resources find them through indexes, not by asking every pair -----------
#
# IAC-IAM-001 (is a managed policy a permissions boundary?), IAC-S3-005 (is a bucket a log target?) and
# IAC-S3-002 (has a bucket a policy that denies plain HTTP?) read each resource's counterparts through
# indexes made once per run (referenced_ids, the bucket names, the boundary values). The plain versions below
# ask every pair, as the checks did before: on every template, each resource's answer must be the same.


def plain_is_permissions_boundary(resource: TemplateResource) -> bool:
    if resource.type != "AWS::IAM::ManagedPolicy":
        return False
    name = text_of(resource.properties.get("ManagedPolicyName"))
    for other in resource.others(*INLINE_POLICIES, *POLICY_DOCUMENTS):
        boundary = other.properties.get("PermissionsBoundary")
        if boundary is not None and (refers_to(boundary, resource.logical_id) or _names(boundary, name)):
            return True
    for other in resource.others(*IDENTITY_POLICY_TYPES):
        for statement in identity_statements(other):
            condition = statement.condition
            for keys in condition.values() if isinstance(condition, dict) else ():
                for key, value in keys.items() if isinstance(keys, dict) else ():
                    if str(key).lower() == "iam:permissionsboundary" and (
                            refers_to(value, resource.logical_id) or _names(value, name)):
                        return True
    return False


def plain_log_target(bucket: TemplateResource) -> tuple[str | int, ...] | None:
    for source in bucket.run.of_types(*_logs._LOG_DESTINATIONS):
        values = [value for value in _logs._LOG_DESTINATIONS[source.type](source) if value is not None]
        if bucket.logical_id != source.logical_id and any(names_bucket(value, bucket) for value in values):
            return ("Resources", source.logical_id)
    if bucket.properties.get("AccessControl") == "LogDeliveryWrite":
        return ("Resources", bucket.logical_id, "Properties", "AccessControl")
    for policy in bucket.others("AWS::S3::BucketPolicy"):
        if names_bucket(policy.properties.get("Bucket"), bucket) and _logs._lets_log_delivery_write(policy):
            return ("Resources", policy.logical_id)
    return None


def plain_tls_check(resource: TemplateResource) -> list[Finding]:
    name = resource.properties.get("BucketName")
    for policy in resource.others("AWS::S3::BucketPolicy"):
        bucket = policy.properties.get("Bucket")
        if not refers_to(bucket, resource.logical_id) and not (name is not None and bucket == name):
            continue
        document = policy.properties.get("PolicyDocument")
        if any(s3_002_tls_only._denies_plain_http(s) for s in statements(document, ())):
            return []
        if not isinstance(document, dict) or "Statement" not in document:
            return []
    return [resource.finding("no bucket policy of this template denies requests without TLS (aws:SecureTransport)")]


def plain_failure_destination_check(resource: TemplateResource) -> list[Finding]:
    if "DeadLetterConfig" in resource.properties:
        return []
    if any(lambda_002_failure_destination._on_failure(config, resource.logical_id)
           for config in resource.others("AWS::Lambda::EventInvokeConfig")):
        return []
    return [resource.finding("the function has neither a DeadLetterConfig nor an on-failure destination: an "
                             "asynchronous event that fails every retry is dropped")]


def _indexed_checks_agree(template: dict[str, Any]) -> int:
    """Each resource's answer from the indexed checks and from the plain ones; how many said yes."""
    run = Run(template)
    said = 0
    for resource in run.of_types("AWS::IAM::ManagedPolicy"):
        fast = is_permissions_boundary(resource)
        assert fast == plain_is_permissions_boundary(resource), resource.logical_id
        said += fast
    for bucket in run.of_types("AWS::S3::Bucket"):
        target = log_target(bucket)
        assert target == plain_log_target(bucket), bucket.logical_id
        tls = list(s3_002_tls_only.check(bucket))
        assert tls == plain_tls_check(bucket), bucket.logical_id
        said += (target is not None) + (not tls)
    for function in run.of_types("AWS::Lambda::Function"):
        found = list(lambda_002_failure_destination.check(function))
        assert found == plain_failure_destination_check(function), function.logical_id
        said += not found
    return said


def test_indexed_checks_answer_what_the_pairwise_ones_answer_on_every_template_and_sample() -> None:
    said = sum(_indexed_checks_agree(template) for _, template in [*_test_templates(), *sample_stacks()])
    assert said > 10  # log targets, boundaries and TLS-only buckets were among them


def _random_template(random: Random, size: int) -> dict[str, Any]:
    ids = [f"B{i}" for i in range(size)] + [f"P{i}" for i in range(size)] + ["M0", "M1", "Role", "Trail"]
    names = ["logs", "data", "my.bucket", "a/b", "", "logs\n"]

    def reference() -> Any:
        target = random.choice(ids)
        name = random.choice(names)
        return random.choice([
            {"Ref": target}, {"Fn::GetAtt": [target, "Arn"]}, {"Fn::GetAtt": f"{target}.Arn"},
            {"Fn::Sub": f"arn:aws:s3:::${{{target}}}/*"}, {"Fn::Sub": [f"${{{target}.Arn}}", {}]},
            {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": target}]]}, {"Fn::If": ["C", {"Ref": target}, name]},
            name, f"{name}.s3.amazonaws.com", f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/prefix",
            {"Fn::Sub": f"arn:aws:s3:::{name}"}, [{"Ref": target}], None, 7,
        ])

    def statement() -> dict[str, Any]:
        return random.choice([
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": reference()},
            {"Effect": "Allow", "Action": "*", "Resource": "*",
             "Condition": {"StringEquals": {"iam:PermissionsBoundary": reference()}}},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": reference()},
        ])

    resources: dict[str, Any] = {}
    for i in range(size):
        properties: dict[str, Any] = {}
        if random.random() < 0.5:
            properties["BucketName"] = random.choice([*names, {"Fn::Sub": "${AWS::StackName}-b"}])
        if random.random() < 0.4:
            properties["LoggingConfiguration"] = {"DestinationBucketName": reference()}
        if random.random() < 0.1:
            properties["AccessControl"] = "LogDeliveryWrite"
        resources[f"B{i}"] = {"Type": "AWS::S3::Bucket", "Properties": properties}
        document = random.choice([{"Statement": [statement() for _ in range(random.randint(0, 2))]},
                                  {"Fn::If": ["C", {}, {}]}, {"Statement": statement()}])
        resources[f"P{i}"] = {"Type": "AWS::S3::BucketPolicy",
                              "Properties": {"Bucket": reference(), "PolicyDocument": document}}
    for managed in ("M0", "M1"):
        resources[managed] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": random.choice(["boundary", "other"]),
            "PolicyDocument": {"Statement": [statement()]}}}
    resources["Role"] = {"Type": "AWS::IAM::Role", "Properties": {
        "PermissionsBoundary": random.choice([
            reference(), {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:policy/boundary"}]),
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [statement()]}}]}}
    resources["Trail"] = {"Type": "AWS::CloudTrail::Trail", "Properties": {"S3BucketName": reference()}}
    for i in range(size):
        resources[f"F{i}"] = {"Type": "AWS::Lambda::Function", "Properties": random.choice([
            {}, {"DeadLetterConfig": {"TargetArn": "arn"}}])}
        resources[f"C{i}"] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": random.choice([{"Ref": f"F{random.randrange(size)}"}, f"F{i}", reference(),
                                           {"Fn::Sub": f"${{F{i}.Arn}}"}, {"Fn::GetAtt": f"F{i}.Arn"}]),
            "DestinationConfig": random.choice([{"OnFailure": {"Destination": "arn"}}, {}, None])}}
    return {"Resources": resources}


def test_indexed_checks_answer_what_the_pairwise_ones_answer_on_random_templates() -> None:
    random = Random(21)
    said = sum(_indexed_checks_agree(_random_template(random, random.randint(1, 6))) for _ in range(400))
    assert said > 400


def test_referenced_ids_hold_every_id_refers_to_finds() -> None:
    random = Random(3)
    ids = ["A", "B", "A.B", "AB", "B1", "x y", "AWS::Region", "A}"]
    pieces = ["${A}", "${A.Arn}", "${B1.Name}", "${A.B}", "${AB", "$A", "${x y}", "${A}}", "${", "}", ".", "-"]

    def value(depth: int) -> Any:
        roll = random.random()
        if depth > 3 or roll < 0.3:
            return random.choice([*ids, "".join(random.choice(pieces) for _ in range(3)), 1, None])
        if roll < 0.5:
            return [value(depth + 1) for _ in range(random.randint(0, 3))]
        kind = random.choice(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Other"])
        if kind == "Fn::GetAtt":
            return {kind: random.choice([[random.choice(ids), "Arn"], f"{random.choice(ids)}.Arn", [], [["A"]]])}
        if kind == "Fn::Sub":
            text = "".join(random.choice(pieces) for _ in range(random.randint(0, 4)))
            return {kind: random.choice([text, [text, {"V": value(depth + 1)}]])}
        return {kind: value(depth + 1), **({"Extra": value(depth + 1)} if random.random() < 0.3 else {})}

    checked = 0
    for _ in range(5000):
        found = value(0)
        ids_found = referenced_ids(found)
        for logical_id in ids:
            if "}" not in logical_id and refers_to(found, logical_id):
                assert logical_id in ids_found, (found, logical_id)
                checked += 1
    assert checked > 1000


def test_naming_finds_every_resource_whose_property_refers_to_the_id_in_template_order() -> None:
    template: dict[str, Any] = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function"},
        "A": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {"FunctionName": {"Ref": "Fn"}}},
        "B": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {"FunctionName": "Fn"}},
        "C": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {"FunctionName": {"Fn::Sub": "${Fn.Arn}"}}},
        "D": {"Type": "AWS::Lambda::Permission", "Properties": {"FunctionName": {"Ref": "Fn"}}},
        "E": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": {"Fn::Join": ["", [{"Fn::GetAtt": ["Fn", "Arn"]}]]}}},
        "F}": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {"FunctionName": {"Ref": "F}"}}},
    }}
    run = Run(template)
    named = [resource.logical_id for resource in run.naming("AWS::Lambda::EventInvokeConfig", "FunctionName", "Fn")]
    assert named == ["A", "C", "E"]
    assert [r.logical_id for r in run.naming("AWS::Lambda::EventInvokeConfig", "FunctionName", "F}")] == [
        "A", "B", "C", "E", "F}"]  # an id referenced_ids does not cover: every one, for the caller to judge
    assert run.naming("AWS::Lambda::EventInvokeConfig", "FunctionName", "Other") == []
