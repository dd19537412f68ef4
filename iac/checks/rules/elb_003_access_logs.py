from collections.abc import Iterator

from iac.checks._logs import load_balancer_attributes
from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import is_intrinsic, is_true

ACCESS_LOGS = "access_logs.s3.enabled"


CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"


def _classic(resource: TemplateResource) -> Iterator[Finding]:
    policy = resource.properties.get("AccessLoggingPolicy")
    if is_intrinsic(policy) or (isinstance(policy, dict) and (is_intrinsic(policy.get("Enabled"))
                                                              or is_true(policy.get("Enabled")))):
        return
    yield resource.finding("the classic load balancer writes no access logs (AccessLoggingPolicy.Enabled is not "
                           "true)", *(("AccessLoggingPolicy",) if policy is not None else ()))


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.type == CLASSIC:
        yield from _classic(resource)
        return
    kind = resource.properties.get("Type", "application")
    if kind != "application":
        return  # network and gateway load balancers log differently (or not at all); a computed type is unknown
    attributes = load_balancer_attributes(resource)
    if attributes is None:
        return  # computed
    value = attributes.get(ACCESS_LOGS)
    if is_intrinsic(value) or is_true(value):
        return
    where = ("LoadBalancerAttributes",) if "LoadBalancerAttributes" in resource.properties else ()
    yield resource.finding(f"the application load balancer writes no access logs ({ACCESS_LOGS} is not true)",
                           *where)


RULE = Rule(
    id="IAC-ELB-003",
    severity="warning",
    pack="logging",
    description="An application or classic load balancer writes no access logs",
    why="Access logs are the only record of the requests a load balancer served: client addresses, paths, "
        "response codes and TLS versions, the first thing an incident review or an abuse report asks for.",
    fix="Set the LoadBalancerAttributes access_logs.s3.enabled to true and access_logs.s3.bucket to a log "
        "bucket whose policy lets Elastic Load Balancing write (optionally access_logs.s3.prefix); for a classic "
        "load balancer, AccessLoggingPolicy {Enabled: true, S3BucketName}.",
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer", CLASSIC),
    check=check,
    reads={"AWS::ElasticLoadBalancingV2::LoadBalancer": ("Type", "LoadBalancerAttributes"),
           CLASSIC: ("AccessLoggingPolicy",)},
)
