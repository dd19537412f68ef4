"""LoadBalancedFargateService: a container image served from Fargate behind an application load balancer.

    LoadBalancedFargateService(stack, "Web", cluster=cluster,
                               image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"))

What it makes: a Fargate task definition with one container (logging to its own log group), a
service running it in the VPC's private subnets, a load balancer in the public subnets (or the
private ones with `public_load_balancer=False`), a listener and a target group, and an Output
with the URL. With `certificate_arn` the listener is HTTPS on 443 and port 80 answers with a
redirect to it.

Who may talk to whom, and nothing more: the load balancer's group accepts the listener port(s) from
the internet (from the VPC when internal) and may send only to the service's group on the container
port; the service's group accepts only that; tasks may send HTTPS out (image pulls, logs, AWS APIs).

Stability contract (changing these ids replaces the resources): `<id>/TaskDef`, `<id>/LB`,
`<id>/LB/Listener` (and `<id>/LB/RedirectListener`), `<id>/TargetGroup`, `<id>/Service`.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from iac.constructs import ec2, ecs, elbv2
from iac.constructs.core import Construct, Output
from iac.constructs.core.logical_id import is_valid_logical_id


def _number(low: int, high: int) -> Any:
    return attrs.validators.and_(attrs.validators.instance_of(int), attrs.validators.ge(low),
                                 attrs.validators.le(high))


@attrs.define(kw_only=True)
class LoadBalancedFargateServiceProps:
    cluster: ecs.Cluster = attrs.field(validator=attrs.validators.instance_of(ecs.Cluster))
    image: ecs.ContainerImage = attrs.field(validator=attrs.validators.instance_of(ecs.ContainerImage))
    container_port: int = attrs.field(default=80, validator=_number(1, 65535))
    container_name: str = attrs.field(default="web", validator=attrs.validators.instance_of(str))
    cpu: int = 256
    memory_limit_mib: int = 512
    desired_count: int = attrs.field(default=1, validator=_number(0, 10000))
    environment: dict[str, Any] = attrs.field(factory=dict, converter=lambda v: dict(v or {}))
    secrets: dict[str, Any] = attrs.field(factory=dict, converter=lambda v: dict(v or {}))
    public_load_balancer: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    certificate_arn: Any = None
    listener_port: int | None = attrs.field(default=None, validator=attrs.validators.optional(_number(1, 65535)))
    redirect_http: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    health_check: elbv2.HealthCheck = attrs.field(factory=elbv2.HealthCheck, validator=attrs.validators.instance_of(
        elbv2.HealthCheck))

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None

    @property
    def redirects(self) -> bool:
        return self.https and self.redirect_http

    @property
    def port(self) -> int:
        return self.listener_port or (443 if self.https else 80)

    def __attrs_post_init__(self) -> None:
        if self.redirects and self.port == 80:
            raise ValueError("listener_port 80 is where plain HTTP is redirected to HTTPS; choose another port "
                             "or pass redirect_http=False")


class LoadBalancedFargateService(Construct):
    """A Fargate service behind an application load balancer (see the module docstring for all it makes).

    Props: cluster, image (required); container_port (80), container_name ("web"), cpu (256) and
    memory_limit_mib (512) (a pair Fargate accepts), desired_count (1), environment, secrets,
    public_load_balancer (True), certificate_arn (HTTPS), listener_port (80, or 443 with HTTPS),
    redirect_http (True: with HTTPS, port 80 redirects), health_check (an elbv2.HealthCheck).

    The parts: `.task_definition`, `.container`, `.load_balancer`, `.listener`, `.redirect_listener`
    (or None), `.target_group`, `.service`, `.url_output`.
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: LoadBalancedFargateServiceProps = self._build_props(LoadBalancedFargateServiceProps, props)
        self.cluster = self.props.cluster
        self.task_definition = self._task_definition()
        self.container = self._container()
        self.load_balancer = self._load_balancer()
        self.target_group = self._target_group("TargetGroup")
        self.listener = self._listener(self.target_group)
        self.redirect_listener = self._redirect_listener()
        self.service = self._service()
        self.service.attach_to_target_group(self.target_group, container=self.container,
                                            container_port=self.props.container_port)
        self._let_load_balancer_reach_service()
        self.url_output = self._url_output()

    def _task_definition(self) -> ecs.FargateTaskDefinition:
        return ecs.FargateTaskDefinition(self, "TaskDef", cpu=self.props.cpu,
                                         memory_limit_mib=self.props.memory_limit_mib)

    def _container(self) -> ecs.ContainerDefinition:
        return self.task_definition.add_container(
            self.props.container_name, image=self.props.image, port_mappings=[self.props.container_port],
            environment=self.props.environment, secrets=self.props.secrets,
            logging=ecs.LogDriver.aws_logs(stream_prefix=self.id))

    def _load_balancer(self) -> elbv2.ApplicationLoadBalancer:
        return elbv2.ApplicationLoadBalancer(self, "LB", vpc=self.cluster.vpc,
                                             internet_facing=self.props.public_load_balancer)

    def _target_group(self, id: str) -> elbv2.ApplicationTargetGroup:
        """A target group for the service's tasks (a blue/green deployment makes a second one)."""
        return elbv2.ApplicationTargetGroup(self, id, vpc=self.cluster.vpc, port=self.props.container_port,
                                            target_type="ip", health_check=self.props.health_check)

    def _listener(self, target_group: elbv2.ApplicationTargetGroup) -> elbv2.Listener:
        return self.load_balancer.add_listener(
            "Listener", port=self.props.port, certificate_arn=self.props.certificate_arn,
            default_action=elbv2.ListenerAction.forward([target_group]))

    def _redirect_listener(self) -> elbv2.Listener | None:
        if not self.props.redirects:
            return None
        return self.load_balancer.add_redirect("RedirectListener", source_port=80, target_port=self.props.port)

    def _service(self) -> ecs.FargateService:
        return ecs.FargateService(self, "Service", cluster=self.cluster, task_definition=self.task_definition,
                                  desired_count=self.props.desired_count)

    def _let_load_balancer_reach_service(self) -> None:
        """Service group: in from the load balancer's group on the container port; load balancer group:
        out to the service's group on that port (health checks use the same port)."""
        self.service.security_group.allow_from(self.load_balancer.security_group,
                                               ec2.Port.tcp(self.props.container_port))

    @property
    def url(self) -> str:
        """The service's address (a token string): the load balancer's DNS name with scheme and port."""
        scheme = "https" if self.props.https else "http"
        default_port = 443 if self.props.https else 80
        port = "" if self.props.port == default_port else f":{self.props.port}"
        return f"{scheme}://{self.load_balancer.dns_name}{port}"

    def _url_output(self) -> Output:
        """`<id>ServiceURL`, the name a person would give it (hashed when nested, to stay unique)."""
        output = Output(self, "ServiceURL", value=self.url, description=f"URL of service {self.path}")
        plain_id = re.sub(r"[^A-Za-z0-9]", "", self.id) + "ServiceURL"
        if self.scope is self.stack and is_valid_logical_id(plain_id):
            output.override_logical_id(plain_id)
        return output


__all__ = ["LoadBalancedFargateService"]
