"""The seed's CDK example in iac: a VPC across 2 AZs, an ECS cluster and a load-balanced Fargate service.

The pattern makes the task definition, its roles and log group, the service and its security group,
the load balancer with its security group, listener and target group, and an output with the URL.

Given a domain, the service is served there over HTTPS only, as in samples/static_site (whose domain and
hosted zone are fixed in its app): the hosted zone exists already and is named by its id and name, the
pattern requests a certificate for the name, validated through DNS in that zone, listens on 443 (TLS 1.2+),
redirects port 80 to it and points the name at the load balancer (an A alias record). Here the domain comes
from the environment, so that the sample without one still synthesizes as the seed's example:

    FARGATE_DOMAIN=app.example.com FARGATE_ZONE_ID=Z0123456789EXAMPLE iac synth --app samples/fargate_service/app.py

FARGATE_ZONE_NAME names the zone when it is not the domain less its first label (example.com here).
"""

import os

from iac import App, Stack, UsageError, suppress
from iac.constructs import ec2, ecs, iam, route53, s3
from iac.constructs.patterns import LoadBalancedFargateService

domain = os.environ.get("FARGATE_DOMAIN")  # e.g. "app.example.com"; unset: plain HTTP on the balancer's name
zone = None
if domain:
    if not os.environ.get("FARGATE_ZONE_ID"):
        raise UsageError("FARGATE_DOMAIN needs FARGATE_ZONE_ID, the id of the hosted zone that holds it",
                         hint="e.g. FARGATE_ZONE_ID=Z0123456789EXAMPLE (aws route53 list-hosted-zones)")
    zone = route53.HostedZone.from_attributes(
        hosted_zone_id=os.environ["FARGATE_ZONE_ID"],
        zone_name=os.environ.get("FARGATE_ZONE_NAME") or domain.split(".", 1)[-1])

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "BonjourFargate")
vpc = ec2.Vpc(stack, "MyVpc", max_azs=2)
cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
# The load balancer's access logs, kept 90 days (the bucket's policy lets the log delivery write under the prefix).
logs = s3.Bucket(stack, "AccessLogs",
                 lifecycle_rules=[{"Id": "ExpireLogs", "Status": "Enabled", "ExpirationInDays": 90}])
web = LoadBalancedFargateService(stack, "FargateService", cluster=cluster,
                                 image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"),
                                 domain_name=domain, domain_zone=zone, access_logs=logs, access_logs_prefix="web")
if not domain:
    # With FARGATE_DOMAIN (or certificate=) the service is HTTPS only, with port 80 redirecting to it.
    suppress(web.listener, "IAC-ELB-001", reason="a sample without a domain or certificate: it serves HTTP only")

app.synth()
