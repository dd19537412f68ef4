"""VPC endpoints: AWS services reached from inside the VPC without the internet.

    vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.DYNAMODB)     # a route, free
    vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.SQS)      # a network interface per zone

A gateway endpoint (S3, DynamoDB) is a route in the chosen subnets' route tables (every subnet's by
default). An interface endpoint puts a network interface in one subnet of each zone (the private or
isolated ones by default) and, with private DNS on (the default where the service supports it), makes
the service's usual host name resolve to those interfaces, so SDKs need no change. Its security group
(the child `SecurityGroup`) lets the VPC's range in on the service's port (HTTPS, 443) when `open`
(the default); `open=False` lets nothing in until `endpoint.connections.allow_default_port_from(fn)`.

An endpoint policy is optional (`endpoint.add_to_policy(statement)`); without one the endpoint lets any
request through, and the callers' own IAM policies decide.

Stability contract: `add_*_endpoint` names the endpoint after its service (`<vpc>/S3Endpoint`,
`<vpc>/SqsEndpoint`, `<vpc>/ExecuteApiEndpoint`) unless given an `id`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs

from iac.constructs import iam
from iac.constructs.core import Aws, CfnResource, Construct, Lazy, Token
from iac.constructs.core.source import caller_location
from iac.constructs.core.tokens import stable_key
from iac.constructs.ec2.security import Peer, Port, SecurityGroup, generated_description
from iac.constructs.ec2.vpc import SubnetSelection, Vpc
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::EC2::VPCEndpoint"
HTTPS = 443


# -- services ----------------------------------------------------------------------------------------

@attrs.frozen
class GatewayVpcEndpointService:
    """A service a gateway endpoint reaches: `GatewayVpcEndpointAwsService.S3` or `.DYNAMODB`."""

    name: str  # the service's part of com.amazonaws.<region>.<name>

    @property
    def service_name(self) -> str:
        return f"com.amazonaws.{Aws.REGION}.{self.name}"


class GatewayVpcEndpointAwsService:
    """The services EC2 offers gateway endpoints for."""

    S3 = GatewayVpcEndpointService("s3")
    DYNAMODB = GatewayVpcEndpointService("dynamodb")


@attrs.frozen
class InterfaceVpcEndpointService:
    """A service an interface endpoint reaches, by its full name (an endpoint service of another account,
    "com.amazonaws.vpce.eu-west-1.vpce-svc-..."), the port it listens on and whether it has private DNS."""

    full_name: str
    port: int = HTTPS
    private_dns_default: bool = False

    @property
    def service_name(self) -> str:
        return self.full_name

    @property
    def name(self) -> str:
        return self.full_name.rsplit(".", 1)[-1]


@attrs.frozen
class InterfaceVpcEndpointAwsService:
    """An AWS service by its endpoint name (`InterfaceVpcEndpointAwsService("ssm")`, or one of the names
    below): com.amazonaws.<region>.<name>, HTTPS, private DNS on by default."""

    name: str
    port: int = HTTPS
    private_dns_default: bool = True

    @property
    def service_name(self) -> str:
        return f"com.amazonaws.{Aws.REGION}.{self.name}"

    # The names below are EC2's endpoint service names (`aws ec2 describe-vpc-endpoint-services`).
    APIGATEWAY: ClassVar[InterfaceVpcEndpointAwsService]
    CLOUDWATCH_LOGS: ClassVar[InterfaceVpcEndpointAwsService]
    CLOUDWATCH_MONITORING: ClassVar[InterfaceVpcEndpointAwsService]
    DYNAMODB: ClassVar[InterfaceVpcEndpointAwsService]
    EC2: ClassVar[InterfaceVpcEndpointAwsService]
    EC2_MESSAGES: ClassVar[InterfaceVpcEndpointAwsService]
    ECR: ClassVar[InterfaceVpcEndpointAwsService]
    ECR_DOCKER: ClassVar[InterfaceVpcEndpointAwsService]
    ECS: ClassVar[InterfaceVpcEndpointAwsService]
    EVENTBRIDGE: ClassVar[InterfaceVpcEndpointAwsService]
    KINESIS_STREAMS: ClassVar[InterfaceVpcEndpointAwsService]
    KMS: ClassVar[InterfaceVpcEndpointAwsService]
    LAMBDA: ClassVar[InterfaceVpcEndpointAwsService]
    S3: ClassVar[InterfaceVpcEndpointAwsService]
    SECRETS_MANAGER: ClassVar[InterfaceVpcEndpointAwsService]
    SNS: ClassVar[InterfaceVpcEndpointAwsService]
    SQS: ClassVar[InterfaceVpcEndpointAwsService]
    SSM: ClassVar[InterfaceVpcEndpointAwsService]
    SSM_MESSAGES: ClassVar[InterfaceVpcEndpointAwsService]
    STEP_FUNCTIONS: ClassVar[InterfaceVpcEndpointAwsService]
    STS: ClassVar[InterfaceVpcEndpointAwsService]
    XRAY: ClassVar[InterfaceVpcEndpointAwsService]


for _attribute, _name in {
    "APIGATEWAY": "execute-api", "CLOUDWATCH_LOGS": "logs", "CLOUDWATCH_MONITORING": "monitoring",
    "EC2": "ec2", "EC2_MESSAGES": "ec2messages", "ECR": "ecr.api", "ECR_DOCKER": "ecr.dkr", "ECS": "ecs",
    "EVENTBRIDGE": "events", "KINESIS_STREAMS": "kinesis-streams", "KMS": "kms", "LAMBDA": "lambda",
    "SECRETS_MANAGER": "secretsmanager", "SNS": "sns", "SQS": "sqs", "SSM": "ssm", "SSM_MESSAGES": "ssmmessages",
    "STEP_FUNCTIONS": "states", "STS": "sts", "XRAY": "xray",
}.items():
    setattr(InterfaceVpcEndpointAwsService, _attribute, InterfaceVpcEndpointAwsService(_name))
# S3's and DynamoDB's interface endpoints take private DNS only alongside settings for their gateway
# endpoints (DnsOptions), so it is off unless asked for.
InterfaceVpcEndpointAwsService.S3 = InterfaceVpcEndpointAwsService("s3", private_dns_default=False)
InterfaceVpcEndpointAwsService.DYNAMODB = InterfaceVpcEndpointAwsService("dynamodb", private_dns_default=False)


def endpoint_id(service: Any) -> str:
    """The child id `add_*_endpoint` gives an endpoint: "s3" -> "S3Endpoint", "ecr.dkr" -> "EcrDkrEndpoint"."""
    name = getattr(service, "name", "")
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part) + "Endpoint"


# -- endpoints -----------------------------------------------------------------------------------

class _Endpoint(Construct):
    """What both kinds share: the resource, its id, its optional policy."""

    resource: CfnResource

    def _start(self, vpc: Vpc, service: Any) -> None:
        self.vpc = vpc
        self.service = service
        self._policy = iam.PolicyDocument()
        self._has_policy = False

    def _policy_document(self) -> dict[str, Any] | None:
        return self._policy.to_json() if self._has_policy else None

    @property
    def vpc_endpoint_id(self) -> Token:
        return self.resource.ref

    def add_to_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the endpoint policy (created on first use): only what it allows then passes
        the endpoint. Statements name their principals (`iam.Principal("*")` for any caller)."""
        problem = iam.resource_statement_problem(
            statement, "endpoint policy", method="add_to_policy",
            principals_hint='pass principals=[iam.Principal("*")] (any caller whose own policies allow it)')
        if problem is not None:
            message, hint = problem
            raise ConstructError(message, path=self.path, location=caller_location(), hint=hint)
        self._policy.add_statements(statement)
        self._has_policy = True


class GatewayVpcEndpoint(_Endpoint):
    """A gateway endpoint (`AWS::EC2::VPCEndpoint` of type Gateway, the child `Resource`): S3 or DynamoDB
    reached through a route in the route tables of the chosen subnets.

    Args:
        vpc: the VPC whose subnets route to the service through the endpoint.
        service: `GatewayVpcEndpointAwsService.S3` or `.DYNAMODB`.
        subnets: the subnets whose route tables get the route (a list of selections; default every
            subnet of the VPC).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(self, scope: Construct, id: str, *, vpc: Vpc, service: GatewayVpcEndpointService,
                 subnets: Sequence[SubnetSelection] | None = None) -> None:
        super().__init__(scope, id)
        self._start(vpc, service)
        chosen = [subnet for selection in subnets for subnet in vpc.select_subnets(selection).subnets] if subnets \
            else vpc.subnets
        tables = {stable_key(subnet.route_table_id): subnet.route_table_id for subnet in chosen}
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "ServiceName": service.service_name,
            "VpcEndpointType": "Gateway",
            "VpcId": vpc.vpc_id,
            "RouteTableIds": list(tables.values()),
            "PolicyDocument": Lazy(self._policy_document),
        })


class InterfaceVpcEndpoint(_Endpoint):
    """An interface endpoint (`AWS::EC2::VPCEndpoint` of type Interface, the child `Resource`): a network
    interface in one subnet of each zone, with a security group.

    Args:
        vpc: the VPC the endpoint's interfaces are in.
        service: an `InterfaceVpcEndpointAwsService` (`.SQS`, `.SECRETS_MANAGER`, `("ssm")`, ...) or an
            `InterfaceVpcEndpointService` (another account's endpoint service, by full name).
        subnets: where the interfaces go, one per zone (default: the private subnets, else the isolated
            ones, else the public ones).
        private_dns_enabled: make the service's usual host name resolve to the endpoint in the VPC
            (default: on where the service supports it; needs the VPC's DNS support and hostnames).
        security_groups: the endpoint's groups (default: one of its own, the child `SecurityGroup`).
        open: let the VPC's address range in on the service's port (default True); False lets nothing in
            until `connections.allow_default_port_from(...)`.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(self, scope: Construct, id: str, *, vpc: Vpc,
                 service: InterfaceVpcEndpointAwsService | InterfaceVpcEndpointService,
                 subnets: SubnetSelection | None = None, private_dns_enabled: bool | None = None,
                 security_groups: Sequence[SecurityGroup] | None = None, open: bool = True) -> None:
        super().__init__(scope, id)
        self._start(vpc, service)
        private_dns = service.private_dns_default if private_dns_enabled is None else private_dns_enabled
        if private_dns and not (vpc.dns_hostnames_enabled and vpc.dns_support_enabled):
            raise ConstructError(f"InterfaceVpcEndpoint {id!r}: private DNS needs the VPC's DNS support and DNS "
                                 "hostnames (Vpc enable_dns_support and enable_dns_hostnames)", path=self.path,
                                 location=self.location, hint="turn them on, or pass private_dns_enabled=False")
        self.port = Port.tcp(service.port)
        groups = list(security_groups) if security_groups else [
            SecurityGroup(self, "SecurityGroup", vpc=vpc,
                          description=generated_description(f"{self.path} (interface endpoint)"))]
        from iac.constructs.connections import Connections

        self.connections = Connections(security_groups=groups, default_port=self.port)
        if open:
            self.connections.allow_default_port_from(Peer.ipv4(vpc.cidr), f"from the VPC to {service.name}")
        selection = subnets or SubnetSelection(one_per_az=True)
        if subnets is not None and not subnets.one_per_az:
            selection = attrs.evolve(subnets, one_per_az=True)
        self.subnets = vpc.select_subnets(selection)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "ServiceName": service.service_name,
            "VpcEndpointType": "Interface",
            "VpcId": vpc.vpc_id,
            "SubnetIds": self.subnets.subnet_ids,
            "SecurityGroupIds": [group.security_group_id for group in groups],
            "PrivateDnsEnabled": private_dns,
            "PolicyDocument": Lazy(self._policy_document),
        })

    @property
    def security_groups(self) -> list[SecurityGroup]:
        return list(self.connections.security_groups)


__all__ = ["GatewayVpcEndpoint", "GatewayVpcEndpointAwsService", "GatewayVpcEndpointService", "InterfaceVpcEndpoint",
           "InterfaceVpcEndpointAwsService", "InterfaceVpcEndpointService", "endpoint_id"]
