"""EC2: VPCs whose subnets are laid out as asked, security groups whose rules say exactly who may talk
to whom on which port, VPC endpoints, flow logs and instances.

    vpc = ec2.Vpc(stack, "Network", max_azs=2)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    db.allow_from(app_group, ec2.Port.tcp(5432))

The module is a package (`iac.constructs.ec2`); every public name is here: `ec2.Vpc`, `ec2.SecurityGroup`, ...
See docs/networks.md.
"""

from typing import TYPE_CHECKING

from iac.constructs import lazy_exports

if TYPE_CHECKING:
    from iac.constructs.ec2.endpoints import (
        GatewayVpcEndpoint,
        GatewayVpcEndpointAwsService,
        GatewayVpcEndpointService,
        InterfaceVpcEndpoint,
        InterfaceVpcEndpointAwsService,
        InterfaceVpcEndpointService,
    )
    from iac.constructs.ec2.flow_logs import FlowLog, FlowLogDestination, FlowLogTrafficType
    from iac.constructs.ec2.instance import (
        AmazonLinuxCpuType,
        AmazonLinuxGeneration,
        Instance,
        MachineImage,
        UserData,
        instance_types,
    )
    from iac.constructs.ec2.security import (
        ALL_TRAFFIC_RULE,
        ANY_IPV6,
        NO_TRAFFIC_RULE,
        CidrPeer,
        Peer,
        Port,
        Rule,
        SecurityGroup,
        generated_description,
    )
    from iac.constructs.ec2.vpc import (
        ANY_IPV4,
        MAX_AZS,
        MAX_SUBNET_PREFIX,
        MAX_VPC_PREFIX,
        MIN_VPC_PREFIX,
        SUBNET_TYPES,
        SelectedSubnets,
        Subnet,
        SubnetConfiguration,
        SubnetSelection,
        SubnetType,
        Vpc,
        default_subnet_configuration,
        subnet_cidr_blocks,
        subnet_group_cidr_blocks,
    )

#: Where each public name lives (the imports above, for the run time): imported on first use.
_HOMES = {
    ".endpoints": (
        "GatewayVpcEndpoint",
        "GatewayVpcEndpointAwsService",
        "GatewayVpcEndpointService",
        "InterfaceVpcEndpoint",
        "InterfaceVpcEndpointAwsService",
        "InterfaceVpcEndpointService",
    ),
    ".flow_logs": (
        "FlowLog",
        "FlowLogDestination",
        "FlowLogTrafficType",
    ),
    ".instance": (
        "AmazonLinuxCpuType",
        "AmazonLinuxGeneration",
        "Instance",
        "MachineImage",
        "UserData",
        "instance_types",
    ),
    ".security": (
        "ALL_TRAFFIC_RULE",
        "ANY_IPV6",
        "NO_TRAFFIC_RULE",
        "CidrPeer",
        "Peer",
        "Port",
        "Rule",
        "SecurityGroup",
        "generated_description",
    ),
    ".vpc": (
        "ANY_IPV4",
        "MAX_AZS",
        "MAX_SUBNET_PREFIX",
        "MAX_VPC_PREFIX",
        "MIN_VPC_PREFIX",
        "SUBNET_TYPES",
        "SelectedSubnets",
        "Subnet",
        "SubnetConfiguration",
        "SubnetSelection",
        "SubnetType",
        "Vpc",
        "default_subnet_configuration",
        "subnet_cidr_blocks",
        "subnet_group_cidr_blocks",
    ),
}

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "AmazonLinuxCpuType",
    "AmazonLinuxGeneration",
    "Instance",
    "MachineImage",
    "UserData",
    "instance_types",
    "ALL_TRAFFIC_RULE",
    "ANY_IPV4",
    "ANY_IPV6",
    "MAX_AZS",
    "MAX_SUBNET_PREFIX",
    "MAX_VPC_PREFIX",
    "MIN_VPC_PREFIX",
    "NO_TRAFFIC_RULE",
    "SUBNET_TYPES",
    "CidrPeer",
    "FlowLog",
    "FlowLogDestination",
    "FlowLogTrafficType",
    "GatewayVpcEndpoint",
    "GatewayVpcEndpointAwsService",
    "GatewayVpcEndpointService",
    "InterfaceVpcEndpoint",
    "InterfaceVpcEndpointAwsService",
    "InterfaceVpcEndpointService",
    "Peer",
    "Port",
    "Rule",
    "SecurityGroup",
    "SelectedSubnets",
    "Subnet",
    "SubnetConfiguration",
    "SubnetSelection",
    "SubnetType",
    "Vpc",
    "default_subnet_configuration",
    "generated_description",
    "subnet_cidr_blocks",
    "subnet_group_cidr_blocks",
]
