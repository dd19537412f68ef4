"""The seed's CDK example in iac: a VPC across 2 AZs, an ECS cluster and a load-balanced Fargate service.

The pattern makes the task definition, its roles and log group, the service and its security group,
the load balancer with its security group, listener and target group, and an output with the URL.
"""

from iac import App, Stack, suppress
from iac.constructs import ec2, ecs, iam
from iac.constructs.patterns import LoadBalancedFargateService

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "BonjourFargate")
vpc = ec2.Vpc(stack, "MyVpc", max_azs=2)
cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
web = LoadBalancedFargateService(stack, "FargateService", cluster=cluster,
                                 image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"))
# A real service passes certificate_arn= and gets HTTPS, with port 80 redirecting to it.
suppress(web.listener, "IAC-ELB-001", reason="a sample without a domain or certificate: it serves HTTP only")
# No access logs yet: they need a log bucket, and LoadBalancedFargateService takes none (an access_logs=
# option is coming); a real service sends them to the account's log bucket.
suppress(web.load_balancer, "IAC-ELB-003",
         reason="a sample without a log bucket: the load balancer keeps no access logs")

app.synth()
