"""The seed's slide 61 in iac: a function released by CodeDeploy, 10% for 10 minutes, then the rest.

The SAM original is a function with a DeploymentPreference (Canary10Percent10Minutes, an errors
alarm, a PreTraffic hook). Here the same lines make what SAM's transform makes: the version (a new
one whenever the code or configuration changes), the "live" alias that CloudFormation moves through
CodeDeploy, the CodeDeploy application and deployment group with automatic rollback on failure and on
alarm, the CodeDeploy service role, the alarm, and the hook with exactly the permissions it needs.
The API calls the alias, so callers only ever see versions CodeDeploy let through.
"""

from iac import App, Stack, suppress
from iac.constructs import apigateway, awslambda, cloudwatch, iam

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "CanaryFunction")

get_fn = awslambda.Function(stack, "GetFunction", handler="index.get", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_asset("src"))
errors = cloudwatch.Alarm(stack, "ErrorsAlarm", metric=get_fn.metric_errors(), threshold=1, evaluation_periods=1,
                          treat_missing_data="notBreaching",
                          alarm_description="any error while a new version takes traffic rolls it back")

# The hook smoke-tests the new version before it gets any traffic.
pre_traffic = awslambda.Function(stack, "PreTrafficHook", handler="pre_traffic.handler",
                                 runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=awslambda.Code.from_asset("hooks"),
                                 timeout=60,
                                 environment={"NEW_VERSION": get_fn.current_version.ref})
get_fn.grant_invoke(pre_traffic)

live = get_fn.add_alias("live", deployment="Canary10Percent10Minutes", alarms=[errors], pre_traffic=pre_traffic)

api = apigateway.RestApi(stack, "Api")
suppress(api.add_route("GET", "/resource/{resourceId}", live), "IAC-APIGW-001",
         reason="the seed's public example API: anyone may read its items")

app.synth()
