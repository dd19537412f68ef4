"""Facts about CloudFormation resource types that the schemas do not state, kept as data.

The diff engine reads these tables and the registry schemas; it names no service in its code. Which types
hold data (deleting or replacing them loses it) is not here: it is cfn-lint's list plus iac's corrections,
asked of iac.specs (`is_stateful`, `stateful_types`; the corrections are iac/spec_corrections.json).
"""

from __future__ import annotations

#: Properties that attach AWS managed or customer managed policies by ARN (a list of ARNs).
MANAGED_POLICY_PROPERTIES = frozenset({"ManagedPolicyArns"})

#: Security group rules written inside a group: type -> {property: direction}.
RULE_LIST_PROPERTIES = {
    "AWS::EC2::SecurityGroup": {"SecurityGroupIngress": "ingress", "SecurityGroupEgress": "egress"},
}

#: Security group rules that are resources of their own: type -> direction.
RULE_RESOURCES = {
    "AWS::EC2::SecurityGroupIngress": "ingress",
    "AWS::EC2::SecurityGroupEgress": "egress",
}

#: Keys of a rule that name the other side of it.
RULE_PEER_KEYS = (
    "CidrIp",
    "CidrIpv6",
    "SourceSecurityGroupId",
    "SourceSecurityGroupName",
    "SourcePrefixListId",
    "DestinationSecurityGroupId",
    "DestinationPrefixListId",
)

#: Suffixes of GetAtt attributes that name a resource's identity: a replaced resource surely has new ones (other
#: attributes, such as an availability zone or a CIDR block, may keep their value across a replacement).
IDENTITY_ATTRIBUTE_SUFFIXES = ("Arn", "Id", "Name", "Url", "URL", "Endpoint", "Address", "DnsName", "DNSName")

#: Suffixes of create-only properties that fix a resource's physical name.
NAME_PROPERTY_SUFFIXES = ("Name", "Identifier")

#: Types whose every property change is passed to the provider as an Update (no schema to judge).
CUSTOM_TYPE_PREFIX = "Custom::"
CUSTOM_RESOURCE_TYPE = "AWS::CloudFormation::CustomResource"

#: Types whose DeletionPolicy defaults to Snapshot instead of Delete, unless the property named here
#: is set (an RDS instance in a cluster is deleted; the cluster keeps the snapshot).
SNAPSHOT_BY_DEFAULT = {
    "AWS::RDS::DBCluster": None,
    "AWS::RDS::DBInstance": "DBClusterIdentifier",
}

#: Resource-based permissions that are resources of their own: type -> where the statement's parts are.
PERMISSION_RESOURCES = {
    "AWS::Lambda::Permission": {
        "principal": "Principal",
        "action": "Action",
        "resource": "FunctionName",
        "conditions": ("SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType"),
    },
}


def default_deletion_policy(resource_type: str, properties: dict) -> str:
    """The DeletionPolicy CloudFormation applies when the template sets none."""
    if resource_type in SNAPSHOT_BY_DEFAULT:
        exempt = SNAPSHOT_BY_DEFAULT[resource_type]
        if exempt is None or not properties.get(exempt):
            return "Snapshot"
    return "Delete"
