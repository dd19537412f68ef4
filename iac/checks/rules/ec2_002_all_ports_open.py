from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._network import INGRESS_TYPES, READS, ingress_rules


def check(resource: TemplateResource) -> Iterator[Finding]:
    for rule in ingress_rules(resource):
        if rule.source is not None and rule.all_ports:
            yield Finding(f"ingress from {rule.source} on every port: the whole internet can reach everything "
                          "behind this group", rule.path)


RULE = Rule(
    id="IAC-EC2-002",
    severity="error",
    pack="network",
    description="A security group admits the whole internet on every port",
    why="Every service listening behind the group, including the ones nobody meant to expose, is reachable "
        "from anywhere.",
    fix="Open only the listener's ports, to the sources that need them.",
    url="https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    resource_types=INGRESS_TYPES,
    check=check,
    reads=READS,
)
