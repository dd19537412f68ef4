from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import as_list


def _redirects_to_https(action: Any) -> bool:
    if not isinstance(action, dict) or action.get("Type") != "redirect":
        return False
    redirect = action.get("RedirectConfig")
    return isinstance(redirect, dict) and str(redirect.get("Protocol", "")).upper() == "HTTPS"


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.properties.get("Protocol") != "HTTP":
        return
    actions = as_list(resource.properties.get("DefaultActions"))
    if not any(_redirects_to_https(action) for action in actions):
        yield resource.finding("the listener serves plain HTTP and does not redirect to HTTPS", "Protocol")


RULE = Rule(
    id="IAC-ELB-001",
    severity="warning",
    pack="network",
    description="A load balancer listener serves HTTP without redirecting to HTTPS",
    why="Over plain HTTP, requests, cookies and tokens travel in clear and can be read or changed on the way.",
    fix="Serve HTTPS (Protocol HTTPS with a certificate) and make the HTTP listener's default action a redirect "
        "to HTTPS (RedirectConfig Protocol HTTPS, StatusCode HTTP_301).",
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html",
    resource_types=("AWS::ElasticLoadBalancingV2::Listener",),
    check=check,
    reads={"AWS::ElasticLoadBalancingV2::Listener": ("Protocol", "DefaultActions")},
)
