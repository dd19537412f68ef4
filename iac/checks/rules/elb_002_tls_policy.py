import re
from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, known

#: ELB's policy names say the oldest TLS version they accept: ELBSecurityPolicy-TLS13-1-2-2021-06,
#: -TLS-1-2-2017-01, -FS-1-2-Res-2020-10 start at TLS 1.2; -2016-08, -TLS13-1-0-2021-06 accept TLS 1.0.
MODERN = re.compile(r"-(?:TLS13|TLS|FS)-1-[23](?:-|$)")


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.properties.get("Protocol") not in ("HTTPS", "TLS"):
        return
    policy = known(resource.properties.get("SslPolicy"))
    if policy is UNKNOWN:
        return
    if policy is None:
        yield resource.finding("the listener names no SslPolicy: listeners made through the API get "
                               "ELBSecurityPolicy-2016-08, which accepts TLS 1.0 and 1.1", "Protocol")
    elif isinstance(policy, str) and not MODERN.search(policy):
        yield resource.finding(f"the listener's SslPolicy {policy} accepts TLS versions older than 1.2", "SslPolicy")


RULE = Rule(
    id="IAC-ELB-002",
    severity="warning",
    pack="network",
    description="A load balancer's HTTPS or TLS listener accepts TLS older than 1.2",
    why="TLS 1.0 and 1.1 have known weaknesses and are refused by current compliance regimes (PCI DSS among "
        "them); a policy that still offers them lets a client, or an attacker in the middle, pick them.",
    fix="Set SslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (iac's elbv2 default) or another TLS 1.2+ policy.",
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
    resource_types=("AWS::ElasticLoadBalancingV2::Listener",),
    check=check,
    reads={"AWS::ElasticLoadBalancingV2::Listener": ("Protocol", "SslPolicy")},
)
