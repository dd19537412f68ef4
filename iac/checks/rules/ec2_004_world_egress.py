from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplatePath, TemplateResource
from iac.checks._network import ALL_PROTOCOLS, WORLD
from iac.checks._values import as_list, is_intrinsic

TYPES = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupEgress")


def check(resource: TemplateResource) -> Iterator[Finding]:
    base: TemplatePath = ("Resources", resource.logical_id, "Properties")
    rules: list[tuple[Any, TemplatePath]]
    if resource.type == "AWS::EC2::SecurityGroupEgress":
        rules = [(resource.properties, base)]
    else:
        found = resource.properties.get("SecurityGroupEgress")
        if found is None:
            yield resource.finding("the group has no egress rule, so EC2 gives it its default one: all traffic out "
                                   "to anywhere")
            return
        if is_intrinsic(found):
            return
        rules = [(rule, (*base, "SecurityGroupEgress", index)) for index, rule in enumerate(as_list(found))
                 if isinstance(rule, dict)]
    for rule, path in rules:
        destination = next((rule[key] for key in ("CidrIp", "CidrIpv6") if rule.get(key) in WORLD), None)
        if destination is not None and str(rule.get("IpProtocol", "")).lower() in ALL_PROTOCOLS:
            yield Finding(f"egress of all traffic to {destination}: members may send anything anywhere", path)


RULE = Rule(
    id="IAC-EC2-004",
    severity="warning",
    pack="network",
    description="A security group lets all traffic out to anywhere (0.0.0.0/0 or ::/0)",
    why="Code that is taken over, or simply wrong, can then reach any host on any port: exfiltration, crypto "
        "mining pools and command-and-control servers included. iac's constructs open only the egress their "
        "resources need (HTTPS for AWS APIs, the ports of the peers they are allowed to reach), so this is "
        "found only where allow_all_outbound=True, a CfnResource or a template says so.",
    fix="Open only what is needed: ec2.SecurityGroup(..., allow_all_outbound=False) (the default) with "
        "allow_to(peer, port), or egress rules naming the destination and port; a group with no egress rule "
        "at all gets EC2's allow-all one. Suppress with the reason when members really reach arbitrary hosts.",
    url="https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    resource_types=TYPES,
    check=check,
    reads={"AWS::EC2::SecurityGroup": ("SecurityGroupEgress",),
           "AWS::EC2::SecurityGroupEgress": ("CidrIp", "CidrIpv6", "IpProtocol")},
)
