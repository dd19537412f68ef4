"""iac/cfn/ is what the generator makes of the pinned schemas, covers every type, and its stubs say what
the runtime classes do."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys

import pytest

import iac.cfn
from iac.cfn import MODULES, OTHER_REGION_TYPES, _generate, resource_class
from iac.cfn._base import argument_names, module_name, snake_case
from iac.specs import known_regions, provider_types, resource_schema

CFN_DIR = os.path.dirname(iac.cfn.__file__)


def test_the_generated_files_are_those_the_pinned_schemas_make():
    files = _generate.generate()
    assert _generate.stale(files) == [], "iac/cfn/ is stale for the pinned cfn-lint: run `make cfn`"


def test_the_generator_finds_a_hand_edit(tmp_path):
    files = _generate.generate()
    for name in ("__init__.py", "sqs.py", "sqs.pyi"):
        (tmp_path / name).write_text(files[name], encoding="utf-8")
    (tmp_path / "gone.py").write_text(_generate.MARKER + " (an old module)\n", encoding="utf-8")
    (tmp_path / "sqs.pyi").write_text(files["sqs.pyi"].replace("visibility_timeout", "visibility"), encoding="utf-8")
    problems = _generate.stale({name: files[name] for name in ("__init__.py", "sqs.py", "sqs.pyi")}, str(tmp_path))
    assert problems == ["gone.py", "sqs.pyi"]


def generated_types() -> dict[str, str]:
    records = {}
    for module in sorted(set(MODULES.values())):
        records.update({record[0]: name for name, record in importlib.import_module(f"iac.cfn.{module}")
                        ._RECORDS.items()})
    return records


def test_every_us_east_1_type_has_a_class():
    types = provider_types("us-east-1")
    generated = generated_types()
    assert len(types) == 1854
    assert set(types) - set(generated) == set()
    assert all(resource_class(type_name).cfn_type == type_name for type_name in types)


def test_types_only_other_regions_have_get_a_class_from_the_first_region_that_has_them():
    regions = [region for region in known_regions() if region not in ("us-east-1", "sam")]
    elsewhere = {type_name for region in regions for type_name in provider_types(region)} - set(
        provider_types("us-east-1"))
    assert sorted(OTHER_REGION_TYPES) == sorted(elsewhere)
    assert set(generated_types()) == set(provider_types("us-east-1")) | elsewhere
    for type_name, region in OTHER_REGION_TYPES.items():
        assert type_name in provider_types(region)
        assert region == min(r for r in regions if type_name in provider_types(r))
    from iac.cfn import opsworks

    assert "Not in the us-east-1 schemas: generated from me-central-1's." in opsworks.Stack.__doc__


def test_sam_types_have_no_class():
    assert "AWS::Serverless" not in MODULES


def test_module_names_follow_the_namespace():
    assert module_name("AWS::SQS") == "sqs"
    assert module_name("AWS::Lambda") == "lambda_"  # a keyword
    assert module_name("AWS::EC2") == "ec2"
    assert module_name("Alexa::ASK") == "alexa_ask"
    assert MODULES["AWS::ElasticLoadBalancingV2"] == "elasticloadbalancingv2"
    from iac.cfn import lambda_

    assert lambda_.Function.cfn_type == "AWS::Lambda::Function"


AWKWARD_NAMES = [
    ("AWS::RDS::DBInstance", "DBInstanceClass", "db_instance_class"),
    ("AWS::RDS::DBInstance", "CACertificateIdentifier", "ca_certificate_identifier"),
    ("AWS::RDS::DBInstance", "EnableIAMDatabaseAuthentication", "enable_iam_database_authentication"),
    ("AWS::Route53Resolver::ResolverRuleAssociation", "VPCId", "vpc_id"),
    ("AWS::EC2::Subnet", "VpcId", "vpc_id"),
    ("AWS::EC2::Subnet", "Ipv6CidrBlock", "ipv6_cidr_block"),
    ("AWS::DAX::Cluster", "SSESpecification", "sse_specification"),
    ("AWS::DynamoDB::Table", "SSESpecification", "sse_specification"),
    ("AWS::AutoScaling::AutoScalingGroup", "TargetGroupARNs", "target_group_arns"),
    ("AWS::Cognito::UserPoolClient", "CallbackURLs", "callback_urls"),
    ("AWS::ElastiCache::ReplicationGroup", "MultiAZEnabled", "multi_az_enabled"),
    ("AWS::ElastiCache::ReplicationGroup", "PreferredCacheClusterAZs", "preferred_cache_cluster_azs"),
    ("AWS::Route53::HostedZone", "VPCs", "vpcs"),
    ("AWS::GlobalAccelerator::Accelerator", "FlowLogsS3Bucket", "flow_logs_s3_bucket"),
    ("AWS::NetworkFirewall::TLSInspectionConfiguration", "TLSInspectionConfigurationName",
     "tls_inspection_configuration_name"),
    ("AWS::Glue::Classifier", "XMLClassifier", "xml_classifier"),
    ("AWS::Kinesis::Stream", "MaxRecordSizeInKiB", "max_record_size_in_kib"),
    ("AWS::Omics::SequenceStore", "ETagAlgorithmFamily", "etag_algorithm_family"),
    ("AWS::WAFv2::WebACL", "OnSourceDDoSProtectionConfig", "on_source_ddos_protection_config"),
    ("AWS::ODB::CloudVmCluster", "MemorySizeInGBs", "memory_size_in_gbs"),
    ("AWS::CloudFormation::ChangeSet", "NotificationARNs", "notification_arns"),
    # a property spelt like one of the constructor's own arguments gets a trailing underscore
    ("AWS::CertificateManager::Certificate", "Id", "id_"),
    ("AWS::ACMPCA::CertificateAuthority", "Type", "type"),  # the class's type is fixed: `type` is free
    ("AWS::Chime::AppInstance", "Metadata", "metadata_"),
    ("AWS::Batch::ComputeEnvironment", "UpdatePolicy", "update_policy_"),
    ("AWS::DevOpsAgent::Trigger", "Condition", "condition_"),
    ("AWS::AmplifyUIBuilder::Component", "Properties", "properties"),
]


@pytest.mark.parametrize(("resource_type", "cfn_name", "python_name"), AWKWARD_NAMES)
def test_awkward_cloudformation_names_have_exact_python_names(resource_type, cfn_name, python_name):
    cls = resource_class(resource_type)
    assert cls.cfn_arguments[python_name] == cfn_name
    assert python_name in inspect.signature(cls).parameters


def test_snake_case_of_names_no_type_has_yet():
    assert snake_case("IPv6Address") == "ipv6_address"
    assert snake_case("OAuthScopes") == "oauth_scopes"
    assert snake_case("EC2InboundPermissions") == "ec2_inbound_permissions"
    assert snake_case("KMSKeyId") == "kms_key_id"
    assert snake_case("deadLetterTargetArn") == "dead_letter_target_arn"
    assert snake_case("IdCount") == "id_count"
    assert snake_case("MiBPerSecond") == "mib_per_second"


def test_python_names_are_unique_and_map_back_for_every_type():
    for type_name in _generate.type_regions():
        schema = resource_schema(type_name, _generate.schema_region(type_name))
        writable = _generate.writable_properties(schema)
        names = argument_names(writable)
        assert sorted(names.values()) == sorted(writable), type_name
        assert all(name.isidentifier() for name in names), type_name


def _stub_classes(module: str) -> dict[str, ast.ClassDef]:
    with open(os.path.join(CFN_DIR, f"{module}.pyi"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _stub_shape(node: ast.ClassDef) -> tuple[list[tuple[str, bool]], list[str], list[str]]:
    """(keyword arguments with whether each has a default, attr_* names, nested class names) of a stub class."""
    init = next(item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")
    arguments = [(arg.arg, default is not None)
                 for arg, default in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True)]
    attributes = [item.name for item in node.body
                  if isinstance(item, ast.FunctionDef) and item.name.startswith("attr_")]
    nested = [item.name for item in node.body if isinstance(item, ast.ClassDef)]
    nested += [item.targets[0].id for item in node.body if isinstance(item, ast.Assign)
               and isinstance(item.targets[0], ast.Name)]
    return arguments, attributes, nested


def test_every_stub_says_what_its_runtime_class_takes():
    for module_name_ in sorted(set(MODULES.values())):
        module = importlib.import_module(f"iac.cfn.{module_name_}")
        stubs = _stub_classes(module_name_)
        assert sorted(stubs) == sorted(module.__all__), module_name_
        for name, stub in stubs.items():
            cls = getattr(module, name)
            arguments, attributes, nested = _stub_shape(stub)
            parameters = list(inspect.signature(cls).parameters.values())[2:]  # after scope, id
            assert arguments == [(p.name, p.default is None) for p in parameters], f"{module_name_}.{name}"
            assert sorted(attributes) == sorted(cls.cfn_attributes), f"{module_name_}.{name}"
            assert sorted(nested) == sorted(n for n in vars(cls) if n[:1].isupper()), f"{module_name_}.{name}"


def test_importing_a_module_makes_no_class_until_one_is_used():
    script = (
        "import iac.cfn.ec2 as m\n"
        "print(sum(name in vars(m) for name in m.__all__), len(m.__all__))\n"
        "instance = m.Instance\n"
        "print(m.Instance is instance, sorted(name for name in m.__all__ if name in vars(m)), 'Instance' in dir(m))\n"
        "from iac.cfn.ec2 import VPC\n"
        "print(VPC.cfn_type)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["0 124", "True ['Instance'] True", "AWS::EC2::VPC"]
    from iac.cfn import ec2

    with pytest.raises(AttributeError, match="no attribute 'Instanse'"):
        ec2.Instanse  # noqa: B018


def test_a_class_has_the_schema_description_and_documentation_url():
    from iac.cfn import sqs

    assert sqs.Queue.__doc__.startswith("AWS::SQS::Queue: The ``AWS::SQS::Queue`` resource creates")
    assert ("https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html"
            in sqs.Queue.__doc__)
    with open(os.path.join(CFN_DIR, "sqs.pyi"), encoding="utf-8") as handle:
        stub = handle.read()
    assert "visibility_timeout (VisibilityTimeout): The length of time during which a message" in stub
    assert "Fn::GetAtt QueueUrl" in stub


def test_enums_are_literals_in_the_stubs():
    queue = _stub_classes("lambda_")["Function"]
    init = next(item for item in queue.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")
    annotations = {arg.arg: ast.unparse(arg.annotation) for arg in init.args.kwonlyargs}
    assert annotations["architectures"].startswith("_Sequence[_Literal['x86_64', 'arm64']")
    assert annotations["deletion_policy"] == (
        "_Literal['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'] | None")
    assert annotations["function_name"] == "str | _Token | None"
    assert annotations["code"] == "Function.Code | _Token"  # required: no None, no default


def test_import_iac_does_not_import_the_generated_modules():
    script = "import sys, iac\nprint(sorted(name for name in sys.modules if name.startswith('iac.cfn')))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
