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

Blue/green (`deployment="blue_green"`, the seed's slides 66-71): a second target group (green)
and a test listener (port 9000 unless `test_listener_port=` says otherwise) join the production
listener; the service uses the CODE_DEPLOY deployment controller (ECS refuses its circuit breaker
then: CodeDeploy's alarms and rollback take its place), and a CodeDeploy ECS application and
deployment group name the service, both target groups and both listeners, the `alarms`, how long
the old tasks are kept after a switch (`termination_wait_minutes`, 5) and automatic rollback on
failure, alarm and request. The production listener forwards to blue; so does the test listener,
which also names green with weight 0 so that both groups belong to the load balancer, as CodeDeploy
requires. A deployment starts the new tasks in green, moves the test listener there (test them on
port 9000), then production traffic (`traffic_shifting`, AllAtOnce by default), and rolls back on an
alarm. The test port is open to the same clients as the production port (the internet when the
load balancer is public) unless `test_listener_cidr=` narrows it, e.g. to your office or VPN range.
New versions reach a blue/green service through CodeDeploy (a pipeline's CodeDeploy ECS action), not
through a stack update: CloudFormation cannot change the task definition of such a service.

Stability contract (changing these ids replaces the resources): `<id>/TaskDef`, `<id>/LB`,
`<id>/LB/Listener` (and `<id>/LB/RedirectListener`), `<id>/TargetGroup`, `<id>/Service`; with
blue/green also `<id>/GreenTargetGroup`, `<id>/LB/TestListener` and `<id>/Deployment` (with its
`Application`, `ServiceRole` and `Resource`). Switching an existing service to blue/green replaces
the service (the deployment controller is fixed when a service is created).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from iac.constructs import cloudwatch, codedeploy, ec2, ecs, elbv2
from iac.constructs.core import Construct, Output
from iac.constructs.core.logical_id import is_valid_logical_id
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

DEPLOYMENTS = ("rolling", "blue_green")
DEFAULT_TEST_LISTENER_PORT = 9000  # the seed's slide 67


def _number(low: int, high: int) -> Any:
    return attrs.validators.and_(attrs.validators.instance_of(int), attrs.validators.ge(low),
                                 attrs.validators.le(high))


def _check_cidr(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        ec2.Peer.ipv4(value)  # raises with the reason when it is not an IPv4 range


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
    deployment: str = attrs.field(default="rolling", validator=attrs.validators.in_(DEPLOYMENTS))
    test_listener_port: int | None = attrs.field(default=None, validator=attrs.validators.optional(_number(1, 65535)))
    test_listener_cidr: str | None = attrs.field(default=None, validator=_check_cidr)
    alarms: list[Any] = attrs.field(factory=list, converter=lambda v: list(v or []))
    termination_wait_minutes: int | None = attrs.field(default=None, validator=attrs.validators.optional(
        _number(0, codedeploy.MAX_TERMINATION_WAIT_MINUTES)))
    traffic_shifting: Any = "AllAtOnce"

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None

    @property
    def redirects(self) -> bool:
        return self.https and self.redirect_http

    @property
    def port(self) -> int:
        return self.listener_port or (443 if self.https else 80)

    @property
    def blue_green(self) -> bool:
        return self.deployment == "blue_green"

    @property
    def test_port(self) -> int:
        return self.test_listener_port or DEFAULT_TEST_LISTENER_PORT

    def __attrs_post_init__(self) -> None:
        if self.redirects and self.port == 80:
            raise ValueError("listener_port 80 is where plain HTTP is redirected to HTTPS; choose another port "
                             "or pass redirect_http=False")
        blue_green_only = {"test_listener_port": self.test_listener_port, "test_listener_cidr": self.test_listener_cidr,
                           "alarms": self.alarms or None, "termination_wait_minutes": self.termination_wait_minutes,
                           "traffic_shifting": None if self.traffic_shifting == "AllAtOnce" else self.traffic_shifting}
        given = [name for name, value in blue_green_only.items() if value is not None]
        if given and not self.blue_green:
            raise ValueError(f"{', '.join(given)} apply to blue/green deployments; pass deployment='blue_green'")
        if self.blue_green and self.test_port == self.port:
            raise ValueError(f"test_listener_port {self.test_port} is the production listener's port; the test "
                             "listener needs a port of its own (9000 by default)")
        if self.blue_green and self.redirects and self.test_port == 80:
            raise ValueError("test_listener_port 80 is where plain HTTP is redirected to HTTPS; choose another port")


class LoadBalancedFargateService(Construct):
    """A Fargate service behind an application load balancer (see the module docstring for all it makes).

    Props: cluster, image (required); container_port (80), container_name ("web"), cpu (256) and
    memory_limit_mib (512) (a pair Fargate accepts), desired_count (1), environment, secrets,
    public_load_balancer (True), certificate_arn (HTTPS), listener_port (80, or 443 with HTTPS),
    redirect_http (True: with HTTPS, port 80 redirects), health_check (an elbv2.HealthCheck),
    deployment ("rolling": ECS replaces tasks and its circuit breaker rolls back; "blue_green":
    CodeDeploy). For blue/green: test_listener_port (9000), test_listener_cidr (who may reach the
    test port; by default whoever may reach the production port), alarms (cloudwatch.Alarms of this
    stack that roll a deployment back; more with `add_alarm`), termination_wait_minutes (5),
    traffic_shifting (an ECS preset name such as "Canary10Percent5Minutes", or a
    codedeploy.Deployment; "AllAtOnce" by default).

    The parts: `.task_definition`, `.container`, `.load_balancer`, `.listener`, `.redirect_listener`
    (or None), `.target_group` (blue), `.service`, `.url_output`; with blue/green also
    `.green_target_group`, `.test_listener` and `.deployment_group` (None otherwise).
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
        self.green_target_group = self._target_group("GreenTargetGroup") if self.props.blue_green else None
        self.test_listener = self._test_listener(self.green_target_group) if self.green_target_group else None
        self.service = self._service()
        self.service.attach_to_target_group(self.target_group, container=self.container,
                                            container_port=self.props.container_port)
        self._let_load_balancer_reach_service()
        self.deployment_group = self._deployment_group() if self.props.blue_green else None
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

    def _test_listener(self, green: elbv2.ApplicationTargetGroup) -> elbv2.Listener:
        """Port 9000 (by default) to blue, naming green with weight 0 so both groups belong to the load
        balancer. Open like the production port unless `test_listener_cidr` narrows it."""
        narrowed = self.props.test_listener_cidr is not None
        listener = self.load_balancer.add_listener(
            "TestListener", port=self.props.test_port, certificate_arn=self.props.certificate_arn, open=not narrowed,
            default_action=elbv2.ListenerAction.forward([self.target_group, green], weights=[1, 0]))
        if narrowed:
            self.load_balancer.security_group.allow_from(
                ec2.Peer.ipv4(str(self.props.test_listener_cidr)), ec2.Port.tcp(self.props.test_port),
                f"test listener on port {self.props.test_port}")
        return listener

    def _service(self) -> ecs.FargateService:
        """Blue/green: the CODE_DEPLOY controller, without the circuit breaker (ECS refuses both)."""
        blue_green = self.props.blue_green
        return ecs.FargateService(self, "Service", cluster=self.cluster, task_definition=self.task_definition,
                                  desired_count=self.props.desired_count,
                                  deployment_controller="CODE_DEPLOY" if blue_green else "ECS",
                                  circuit_breaker=not blue_green)

    def _deployment_group(self) -> codedeploy.EcsDeploymentGroup:
        assert self.green_target_group is not None  # made before, as for every blue/green service
        return codedeploy.EcsDeploymentGroup(
            self, "Deployment", service=self.service, blue_target_group=self.target_group,
            green_target_group=self.green_target_group, listener=self.listener, test_listener=self.test_listener,
            deployment=self.props.traffic_shifting, alarms=self.props.alarms,
            termination_wait_minutes=5 if self.props.termination_wait_minutes is None
            else self.props.termination_wait_minutes)

    def add_alarm(self, alarm: cloudwatch.Alarm | str) -> None:
        """Roll a blue/green deployment back while `alarm` is in ALARM (e.g. one on
        `load_balancer.metric_5xx()`, made after the pattern since it watches the pattern's parts)."""
        if self.deployment_group is None:
            raise ConstructError(f"{self.path} is not deployed blue/green: alarms roll back CodeDeploy deployments; "
                                 "pass deployment='blue_green'", path=self.path, location=caller_location())
        self.deployment_group.add_alarm(alarm)

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
