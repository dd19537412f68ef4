"""Elastic Load Balancing v2: application load balancers (HTTP, HTTPS) and network load balancers (TCP, TLS,
UDP), their listeners and target groups.

    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)
    web = elbv2.ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080)
    lb.add_listener("Https", certificates=[certificate], default_action=elbv2.ListenerAction.forward([web]))
    lb.add_redirect()                                                   # port 80 answers with a 301 to HTTPS

    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc)
    db = elbv2.NetworkTargetGroup(stack, "Db", vpc=vpc, port=5432)
    nlb.add_listener("Tls", port=5432, certificates=[certificate], default_target_groups=[db])

Defaults: internet-facing in the public subnets (internal ones go in the private subnets), with a
security group of its own that accepts traffic only on its listeners' ports (from anywhere when
internet-facing, from the VPC's range when internal) and sends traffic only where it is allowed to
(`target_group_security_group.allow_from(lb.security_group, port)`). An application load balancer drops
invalid HTTP headers (request smuggling). HTTPS and TLS listeners take `certificates=` (a
`certificatemanager.Certificate` of the load balancer's region, or an ACM ARN; the first is the default,
the others are served by SNI) and use ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3) unless
`ssl_policy` says otherwise. `access_logs=bucket` (or `lb.log_access_logs(bucket, prefix=...)`) turns on
access logs and writes the bucket policy statement Elastic Load Balancing's log delivery needs, for this
account's log folder only.

Target groups use IP targets (what Fargate tasks register as). An application target group's health check
marks a new target healthy after two good answers (AWS's default of five keeps new tasks out of service
longer); a network target group's opens a TCP connection (`NetworkHealthCheck(protocol="HTTP", path=...)`
asks over HTTP instead).

DNS: both kinds are route53 alias targets (`route53.ARecord(..., target=lb)`); an AAAA alias only when the
load balancer is dualstack (`ip_address_type="dualstack"`, in a VPC made with `ipv6=True`).

Metrics for alarms (namespace AWS/ApplicationELB, one-minute sums): `lb.metric_5xx()` counts the
5xx answers of every target behind the load balancer (`origin="elb"`: the ones the load balancer
made itself, e.g. 502/503 with no healthy target), `target_group.metric_5xx()` those of one group,
`target_group.metric_unhealthy_hosts()` its failing targets (AWS/NetworkELB for network ones).

The module is a package (`iac.constructs.elbv2`); every public name is here: `elbv2.ApplicationLoadBalancer`,
`elbv2.NetworkLoadBalancer`, ...
"""

from typing import TYPE_CHECKING

from iac.constructs import lazy_exports

if TYPE_CHECKING:
    from iac.constructs.elbv2._base import (
        APPLICATION_LOG_DELIVERY,
        DEFAULT_SSL_POLICY,
        DUALSTACK,
        LISTENER,
        LISTENER_CERTIFICATE,
        LOAD_BALANCER,
        MAX_DEREGISTRATION_DELAY_SECONDS,
        MAX_IDLE_TIMEOUT_SECONDS,
        NETWORK_LOG_DELIVERY,
        TARGET_GROUP,
        LoadBalancerBase,
        TargetGroupBase,
        certificate_rule,
        certificates_rule,
        name_rule,
        seconds_rule,
    )
    from iac.constructs.elbv2.application import (
        ERROR_ORIGINS,
        METRICS_NAMESPACE,
        ApplicationLoadBalancer,
        ApplicationTargetGroup,
        HealthCheck,
        Listener,
        ListenerAction,
    )
    from iac.constructs.elbv2.network import (
        NetworkHealthCheck,
        NetworkListener,
        NetworkLoadBalancer,
        NetworkTargetGroup,
        network_protocols,
    )

#: Where each public name lives (the imports above, for the run time): imported on first use.
_HOMES = {
    "._base": (
        "APPLICATION_LOG_DELIVERY",
        "DEFAULT_SSL_POLICY",
        "DUALSTACK",
        "LISTENER",
        "LISTENER_CERTIFICATE",
        "LOAD_BALANCER",
        "MAX_DEREGISTRATION_DELAY_SECONDS",
        "MAX_IDLE_TIMEOUT_SECONDS",
        "NETWORK_LOG_DELIVERY",
        "TARGET_GROUP",
        "LoadBalancerBase",
        "TargetGroupBase",
        "certificate_rule",
        "certificates_rule",
        "name_rule",
        "seconds_rule",
    ),
    ".application": (
        "ERROR_ORIGINS",
        "METRICS_NAMESPACE",
        "ApplicationLoadBalancer",
        "ApplicationTargetGroup",
        "HealthCheck",
        "Listener",
        "ListenerAction",
    ),
    ".network": (
        "NetworkHealthCheck",
        "NetworkListener",
        "NetworkLoadBalancer",
        "NetworkTargetGroup",
        "network_protocols",
    ),
}

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "APPLICATION_LOG_DELIVERY",
    "DEFAULT_SSL_POLICY",
    "DUALSTACK",
    "ERROR_ORIGINS",
    "LISTENER",
    "LISTENER_CERTIFICATE",
    "LOAD_BALANCER",
    "MAX_DEREGISTRATION_DELAY_SECONDS",
    "MAX_IDLE_TIMEOUT_SECONDS",
    "METRICS_NAMESPACE",
    "NETWORK_LOG_DELIVERY",
    "TARGET_GROUP",
    "ApplicationLoadBalancer",
    "ApplicationTargetGroup",
    "HealthCheck",
    "Listener",
    "ListenerAction",
    "LoadBalancerBase",
    "NetworkHealthCheck",
    "NetworkListener",
    "NetworkLoadBalancer",
    "NetworkTargetGroup",
    "TargetGroupBase",
    "certificate_rule",
    "certificates_rule",
    "name_rule",
    "network_protocols",
    "seconds_rule",
]
