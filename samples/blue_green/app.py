"""The seed's ECS blue/green (slides 66-71) in iac: a Fargate service CodeDeploy releases blue/green.

Each release starts the new ("green") tasks beside the running ones, moves the test listener on port
9000 to them (try them there), then flips production traffic and rolls back by itself if the 5xx
alarm fires; the old tasks stay five minutes for a fast manual rollback too.
"""

from iac import App, Stack, suppress
from iac.constructs import cloudwatch, ec2, ecs, iam, s3
from iac.constructs.patterns import LoadBalancedFargateService

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "BlueGreenService")
vpc = ec2.Vpc(stack, "MyVpc", max_azs=2)
cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
# The load balancer's access logs, kept 90 days.
logs = s3.Bucket(stack, "AccessLogs",
                 lifecycle_rules=[{"Id": "ExpireLogs", "Status": "Enabled", "ExpirationInDays": 90}])
web = LoadBalancedFargateService(stack, "FargateService", cluster=cluster,
                                 image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"),
                                 deployment="blue_green", test_listener_port=9000, termination_wait_minutes=5,
                                 access_logs=logs, access_logs_prefix="web")

# Any 5xx answered by the tasks during a release rolls it back.
errors = cloudwatch.Alarm(stack, "Target5xx", metric=web.load_balancer.metric_5xx(), threshold=1,
                          evaluation_periods=1, treat_missing_data="notBreaching",
                          alarm_description="the new tasks answer with server errors")
web.add_alarm(errors)

# A real service passes domain_name= and domain_zone= (or certificate=: HTTPS, port 80 redirecting to it)
# and test_listener_cidr= (the office or VPN range that tries the new tasks on the test port).
for listener in (web.listener, web.test_listener):
    suppress(listener, "IAC-ELB-001", reason="a sample without a domain or certificate: it serves HTTP only")
suppress(web.load_balancer.security_group, "IAC-EC2-001",
         reason="a sample: anyone may try the new tasks on the test port, as on the production one")

app.synth()
