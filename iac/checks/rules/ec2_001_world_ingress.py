from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._network import INGRESS_TYPES, PORT_PROTOCOLS, READS, ingress_rules

#: The ports a public web endpoint serves: open to the world by design.
WEB_PORTS = (80, 443)


def check(resource: TemplateResource) -> Iterator[Finding]:
    for rule in ingress_rules(resource):
        source = rule.source
        ports = rule.ports()
        if source is None or rule.all_ports or rule.protocol not in PORT_PROTOCOLS or ports is None:
            continue  # all ports is IAC-EC2-002's; computed or port-less rules are not judged
        low, high = ports
        if not (low == high and low in WEB_PORTS):  # 80 and 443 are not adjacent: any range holds another port
            shown = str(low) if low == high else f"{low}-{high}"
            yield Finding(f"ingress from {source} to {rule.protocol} port {shown}: anyone on the internet can "
                          "reach it", rule.path)


RULE = Rule(
    id="IAC-EC2-001",
    severity="warning",
    pack="network",
    description="A security group admits the whole internet (0.0.0.0/0 or ::/0) on a port other than 80 or 443",
    why="SSH, RDP, database and admin ports open to the world are scanned within minutes of creation; only "
        "the web ports of a public endpoint need to face everyone.",
    fix="Open the port to the address ranges or security groups that need it (a load balancer's group, a "
        "VPN's range), or reach instances through SSM Session Manager instead of SSH.",
    url="https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    resource_types=INGRESS_TYPES,
    check=check,
    reads=READS,
)
