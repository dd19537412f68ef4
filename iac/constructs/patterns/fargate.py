"""LoadBalancedFargateService: a container image served from Fargate behind an application load balancer.

    LoadBalancedFargateService(stack, "Web", cluster=cluster,
                               image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"))

What it makes: a Fargate task definition with one container (logging to its own log group), a
service running it in the VPC's private subnets, a load balancer in the public subnets (or the
private ones with `public_load_balancer=False`), a listener and a target group, and an Output
with the URL. With `certificate=` (a certificatemanager.Certificate or an ACM ARN) the listener is
HTTPS on 443 (TLS 1.2+) and port 80 answers with a redirect to it.

With a domain (`domain_name="app.example.com", domain_zone=zone`, the zone a route53.HostedZone or
`HostedZone.from_attributes(...)`) the service is served at that name over HTTPS only: a certificate
for the name, validated through DNS in the zone (CloudFormation writes the validation record and waits
for ACM to issue it), unless `certificate=` gives one; the HTTPS listener on 443; port 80 redirecting
to it; an A alias record for the name to the load balancer (and an AAAA one when the load balancer is
dualstack, `ip_address_type="dualstack"`); and the Output says https://<domain_name>.

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
`<id>/LB/Listener` (and `<id>/LB/RedirectListener`), `<id>/TargetGroup`, `<id>/Service`; with a
domain also `<id>/Certificate` (when the pattern makes it), `<id>/DomainRecord` (and
`<id>/DomainRecordIpv6`); with
blue/green also `<id>/GreenTargetGroup`, `<id>/LB/TestListener` and `<id>/Deployment` (with its
`Application`, `ServiceRole` and `Resource`). Switching an existing service to blue/green replaces
the service (the deployment controller is fixed when a service is created).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from iac.constructs import cloudwatch, codedeploy, ec2, ecs, elbv2, route53, s3
from iac.constructs.certificatemanager import Certificate, CertificateValidation
from iac.constructs.core import Construct, Output, Token, is_token
from iac.constructs.core.logical_id import is_valid_logical_id
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, Size
from iac.errors import ConstructError

DEFAULT_TEST_LISTENER_PORT = 9000  # the seed's slide 67


MAX_DESIRED_COUNT = 10000


def desired_count_rule(value: int) -> str | None:
    return None if 0 <= value <= MAX_DESIRED_COUNT else f"{value} is not from 0 to {MAX_DESIRED_COUNT} tasks"


def ipv4_range_rule(value: str) -> str | None:
    """An IPv4 range such as '203.0.113.0/24' (who may reach the test listener)."""
    try:
        ec2.Peer.ipv4(value)
    except ConstructError as error:
        return error.message
    return None


def termination_wait_rule(minutes: int) -> str | None:
    if 0 <= minutes <= codedeploy.MAX_TERMINATION_WAIT_MINUTES:
        return None
    return f"{minutes} is not from 0 to {codedeploy.MAX_TERMINATION_WAIT_MINUTES} minutes (2 days)"


def _certificate_rule(value: Any) -> str | None:
    """A certificatemanager.Certificate or an ACM (or IAM server) certificate ARN."""
    return None if isinstance(value, Certificate) else elbv2.certificate_rule(value)


def _domain_name_rule(value: Any) -> str | None:
    """A literal DNS name (its records and certificate are made from it at synth)."""
    if not isinstance(value, str) or is_token(value):
        return "must be a literal domain name such as 'app.example.com'"
    name = value.rstrip(".")
    if not name or " " in name or ".." in name or name.startswith(".") or name.startswith("*"):
        return f"{value!r} is not a domain name a service can be served at"
    return None


class LoadBalancedFargateService(Construct):
    """A Fargate service behind an application load balancer (see the module docstring for all it makes).

    The parts: `.task_definition`, `.container`, `.load_balancer`, `.listener`, `.redirect_listener`
    (or None), `.target_group` (blue), `.service`, `.url_output`, `.certificate` (what the HTTPS
    listeners serve, or None), `.domain_records` (the alias records, [] without a domain); with
    blue/green also `.green_target_group`, `.test_listener` and `.deployment_group` (None otherwise).

    Args:
        cluster: the ECS cluster (and so the VPC) the service runs in.
        image: the container's image (`ecs.ContainerImage.from_registry(...)`, ...).
        container_port: the port the container listens on, and the target group's port (80).
        container_name: the container's name ("web").
        cpu: the task's CPU units (256), with memory_limit_mib a pair Fargate accepts.
        memory_limit_mib: the task's memory (512 MiB; a number of MiB or a Size).
        desired_count: how many tasks to keep running (1).
        environment: the container's plain environment variables.
        secrets: the container's secrets (name -> dynamic reference or ecs.Secret).
        public_load_balancer: True: internet-facing, in the public subnets; False: internal.
        certificate: a certificatemanager.Certificate (of the stack's region) or an ACM certificate
            ARN: the listener is HTTPS (on 443 unless listener_port says otherwise). With domain_name
            and no certificate, the pattern makes one, validated through DNS in domain_zone.
        certificate_arn: deprecated, the same as `certificate=`.
        domain_name: the name the service is served at, e.g. "app.example.com" (in domain_zone): HTTPS
            only, with a certificate, a redirect from port 80 and an A alias record (AAAA too when
            dualstack).
        domain_zone: the route53 hosted zone of domain_name (a HostedZone or
            `HostedZone.from_attributes(...)`); the certificate's validation record and the alias
            records go there.
        ip_address_type: the load balancer's "ipv4" (default) or "dualstack" (a VPC made with
            ipv6=True; an AAAA alias record for domain_name then).
        listener_port: the production listener's port (80, or 443 with HTTPS).
        redirect_http: with HTTPS, answer plain HTTP on port 80 with a redirect (True).
        access_logs: an s3.Bucket for the load balancer's access logs (S3-managed encryption, the
            stack's region); its policy lets Elastic Load Balancing's log delivery write there.
        access_logs_prefix: the folder of the bucket the logs go under (none by default).
        health_check: the target group's elbv2.HealthCheck (default: `HealthCheck()`).
        deployment: "rolling" (ECS replaces tasks and its circuit breaker rolls back) or
            "blue_green" (CodeDeploy).
        test_listener_port: blue/green only: the test listener's port (9000).
        test_listener_cidr: blue/green only: who may reach the test port, an IPv4 range (default:
            whoever may reach the production port).
        alarms: blue/green only: cloudwatch.Alarms of this stack that roll a deployment back (more
            with `add_alarm`).
        termination_wait_minutes: blue/green only: how long the old tasks are kept after a switch
            (5 minutes; a number of minutes or a Duration).
        traffic_shifting: blue/green only: an ECS preset name such as "Canary10Percent5Minutes", or
            a codedeploy.Deployment ("AllAtOnce" by default).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cluster: ecs.Cluster,
        image: ecs.ContainerImage,
        container_port: Annotated[int, Cfn("Port", type=elbv2.TARGET_GROUP)] = 80,
        container_name: str = "web",
        cpu: int = 256,
        memory_limit_mib: Annotated[int | Size, Unit("MiB")] = 512,
        desired_count: Annotated[int, Check(desired_count_rule)] = 1,
        environment: Mapping[str, str | int | float | Token] | None = None,
        secrets: Mapping[str, str | ecs.Secret] | None = None,
        public_load_balancer: bool = True,
        certificate: Annotated[Certificate | str | Token | None, Check(_certificate_rule)] = None,
        certificate_arn: Annotated[str | Token | None, Check(elbv2.certificate_rule)] = None,
        domain_name: Annotated[str | None, Check(_domain_name_rule)] = None,
        domain_zone: route53.HostedZoneBase | None = None,
        ip_address_type: Literal["ipv4", "dualstack"] = "ipv4",
        listener_port: Annotated[int | None, Cfn("Port", type=elbv2.LISTENER)] = None,
        redirect_http: bool = True,
        access_logs: s3.Bucket | None = None,
        access_logs_prefix: str | None = None,
        health_check: elbv2.HealthCheck | None = None,
        deployment: Literal["rolling", "blue_green"] = "rolling",
        test_listener_port: Annotated[int | None, Cfn("Port", type=elbv2.LISTENER)] = None,
        test_listener_cidr: Annotated[str | None, Check(ipv4_range_rule)] = None,
        alarms: Sequence[cloudwatch.Alarm | str] = (),
        termination_wait_minutes: Annotated[int | Duration | None, Unit("minutes"),
                                            Check(termination_wait_rule)] = None,
        traffic_shifting: codedeploy.Deployment | str = "AllAtOnce",
    ) -> None:
        super().__init__(scope, id)
        self.cluster = cluster
        if certificate_arn is not None and certificate is None:
            warnings.warn(f"{self.location}: LoadBalancedFargateService certificate_arn= is deprecated; pass "
                          "certificate= (a certificatemanager.Certificate or an ARN)", DeprecationWarning,
                          stacklevel=2)
        self.domain_name = domain_name
        self.domain_zone = domain_zone
        self._https = certificate is not None or certificate_arn is not None or domain_name is not None
        self._redirects = self._https and redirect_http
        self._port: int = listener_port or (443 if self._https else 80)
        self._blue_green = deployment == "blue_green"
        self._test_port: int = test_listener_port or DEFAULT_TEST_LISTENER_PORT
        self._container_port = container_port
        self._check_combination({
            "test_listener_port": test_listener_port, "test_listener_cidr": test_listener_cidr,
            "alarms": list(alarms) or None, "termination_wait_minutes": termination_wait_minutes,
            "traffic_shifting": None if traffic_shifting == "AllAtOnce" else traffic_shifting})
        self._check_domain(certificate, certificate_arn)
        self.certificate = self._certificate(certificate if certificate is not None else certificate_arn)
        self.task_definition = ecs.FargateTaskDefinition(self, "TaskDef", cpu=cpu, memory_limit_mib=memory_limit_mib)
        self.container = self.task_definition.add_container(
            container_name, image=image, port_mappings=[container_port], environment=environment, secrets=secrets,
            logging=ecs.LogDriver.aws_logs(stream_prefix=self.id))
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self, "LB", vpc=self.cluster.vpc, internet_facing=public_load_balancer, ip_address_type=ip_address_type,
            access_logs=access_logs, access_logs_prefix=access_logs_prefix)
        self.target_group = self._target_group("TargetGroup", health_check)
        certificates = [self.certificate] if self.certificate is not None else None
        self.listener = self.load_balancer.add_listener(
            "Listener", port=self._port, certificates=certificates,
            default_action=elbv2.ListenerAction.forward([self.target_group]))
        self.redirect_listener = self._redirect_listener()
        self.green_target_group = self._target_group("GreenTargetGroup", health_check) if self._blue_green else None
        self.test_listener = (self._test_listener(self.green_target_group, certificates, test_listener_cidr)
                              if self.green_target_group else None)
        self.domain_records = self._domain_records()
        self.service = self._service(desired_count)
        self.service.attach_to_target_group(self.target_group, container=self.container,
                                            container_port=container_port)
        self._let_load_balancer_reach_service()
        self.deployment_group = (self._deployment_group(alarms, termination_wait_minutes, traffic_shifting)
                                 if self._blue_green else None)
        self.url_output = self._url_output()

    def _check_combination(self, blue_green_only: dict[str, Any]) -> None:
        """The rules between props (each prop alone was checked against its declaration)."""
        given = [name for name, value in blue_green_only.items() if value is not None]
        problem = None
        if self._redirects and self._port == 80:
            problem = ("listener_port 80 is where plain HTTP is redirected to HTTPS; choose another port or pass "
                       "redirect_http=False")
        elif given and not self._blue_green:
            problem = f"{', '.join(given)} apply to blue/green deployments; pass deployment='blue_green'"
        elif self._blue_green and self._test_port == self._port:
            problem = (f"test_listener_port {self._test_port} is the production listener's port; the test listener "
                       "needs a port of its own (9000 by default)")
        elif self._blue_green and self._redirects and self._test_port == 80:
            problem = "test_listener_port 80 is where plain HTTP is redirected to HTTPS; choose another port"
        if problem:
            raise ConstructError(f"invalid argument for LoadBalancedFargateService {self.id!r}: {problem}",
                                 path=self.path, location=self.location)

    def _check_domain(self, certificate: Any, certificate_arn: Any) -> None:
        """domain_name and domain_zone go together, the name lies in the zone, one certificate at most."""
        name, zone = self.domain_name, self.domain_zone
        problem = hint = None
        if certificate is not None and certificate_arn is not None:
            problem = "give certificate or certificate_arn (deprecated), not both"
        elif name is not None and zone is None:
            problem = "domain_name needs domain_zone (the hosted zone its certificate and alias record go in)"
            hint = ("pass domain_zone=route53.HostedZone.from_attributes(hosted_zone_id=..., zone_name=...) for a "
                    "zone that exists")
        elif zone is not None and name is None:
            problem = "domain_zone is used only with domain_name (the name to serve the service at)"
        elif zone is not None and not isinstance(zone, route53.HostedZoneBase):
            problem = f"domain_zone must be a route53.HostedZone (or HostedZone.from_attributes(...)), got {zone!r}"
        elif name is not None and zone is not None:
            bare = name.rstrip(".")
            if bare != zone.zone_name and not bare.endswith(f".{zone.zone_name}"):
                problem = f"domain_name {name!r} is not in the zone {zone.zone_name}"
                hint = f"use a name ending in {zone.zone_name}, or the zone that holds {name!r}"
        if problem:
            raise ConstructError(f"invalid argument for LoadBalancedFargateService {self.id!r}: {problem}",
                                 path=self.path, location=self.location, hint=hint)

    def _certificate(self, given: Certificate | str | Token | None) -> Certificate | str | Token | None:
        """The certificate given, else (with a domain) one for the domain, validated through DNS in its zone."""
        if given is not None or self.domain_name is None or self.domain_zone is None:
            return given
        return Certificate(self, "Certificate", domain_name=self.domain_name.rstrip("."),
                           validation=CertificateValidation.from_dns(self.domain_zone))

    def _domain_records(self) -> list[route53.ARecord | route53.AaaaRecord]:
        """An A alias for the domain to the load balancer, and an AAAA one when the load balancer is dualstack."""
        if self.domain_name is None or self.domain_zone is None:
            return []
        name = self.domain_name.rstrip(".")
        records: list[route53.ARecord | route53.AaaaRecord] = [
            route53.ARecord(self, "DomainRecord", zone=self.domain_zone, record_name=name, target=self.load_balancer)]
        if self.load_balancer.dualstack:
            records.append(route53.AaaaRecord(self, "DomainRecordIpv6", zone=self.domain_zone, record_name=name,
                                              target=self.load_balancer))
        return records

    def _target_group(self, id: str, health_check: elbv2.HealthCheck | None) -> elbv2.ApplicationTargetGroup:
        """A target group for the service's tasks (a blue/green deployment makes a second one)."""
        return elbv2.ApplicationTargetGroup(self, id, vpc=self.cluster.vpc, port=self._container_port,
                                            target_type="ip", health_check=health_check)

    def _redirect_listener(self) -> elbv2.Listener | None:
        if not self._redirects:
            return None
        return self.load_balancer.add_redirect("RedirectListener", source_port=80, target_port=self._port)

    def _test_listener(self, green: elbv2.ApplicationTargetGroup, certificates: list[Any] | None,
                       cidr: str | None) -> elbv2.Listener:
        """Port 9000 (by default) to blue, naming green with weight 0 so both groups belong to the load
        balancer. Open like the production port unless `test_listener_cidr` narrows it."""
        listener = self.load_balancer.add_listener(
            "TestListener", port=self._test_port, certificates=certificates, open=cidr is None,
            default_action=elbv2.ListenerAction.forward([self.target_group, green], weights=[1, 0]))
        if cidr is not None:
            self.load_balancer.security_group.allow_from(
                ec2.Peer.ipv4(cidr), ec2.Port.tcp(self._test_port), f"test listener on port {self._test_port}")
        return listener

    def _service(self, desired_count: int) -> ecs.FargateService:
        """Blue/green: the CODE_DEPLOY controller, without the circuit breaker (ECS refuses both)."""
        blue_green = self._blue_green
        return ecs.FargateService(self, "Service", cluster=self.cluster, task_definition=self.task_definition,
                                  desired_count=desired_count,
                                  deployment_controller="CODE_DEPLOY" if blue_green else "ECS",
                                  circuit_breaker=not blue_green)

    def _deployment_group(self, alarms: Sequence[cloudwatch.Alarm | str],
                          termination_wait_minutes: int | Duration | None,
                          traffic_shifting: codedeploy.Deployment | str) -> codedeploy.EcsDeploymentGroup:
        assert self.green_target_group is not None  # made before, as for every blue/green service
        return codedeploy.EcsDeploymentGroup(
            self, "Deployment", service=self.service, blue_target_group=self.target_group,
            green_target_group=self.green_target_group, listener=self.listener, test_listener=self.test_listener,
            deployment=traffic_shifting, alarms=alarms,
            termination_wait_minutes=5 if termination_wait_minutes is None else termination_wait_minutes)

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
                                               ec2.Port.tcp(self._container_port))

    @property
    def url(self) -> str:
        """The service's address (a token string): its domain name, else the load balancer's DNS name, with
        scheme and port."""
        scheme = "https" if self._https else "http"
        default_port = 443 if self._https else 80
        port = "" if self._port == default_port else f":{self._port}"
        host = self.domain_name if self.domain_name is not None else self.load_balancer.dns_name
        return f"{scheme}://{host}{port}"

    def _url_output(self) -> Output:
        """`<id>ServiceURL`, the name a person would give it (hashed when nested, to stay unique)."""
        output = Output(self, "ServiceURL", value=self.url, description=f"URL of service {self.path}")
        plain_id = re.sub(r"[^A-Za-z0-9]", "", self.id) + "ServiceURL"
        if self.scope is self.stack and is_valid_logical_id(plain_id):
            output.override_logical_id(plain_id)
        return output


__all__ = ["LoadBalancedFargateService"]
