"""The seed's release process in iac: the serverless sample's stack delivered through a pipeline.

Source -> Build -> Test -> Staging -> Approval -> Production (slides 27-33 and 56-58): a push to
`main` starts it (so does a nightly schedule); the build synthesizes this very app with `iac synth
--strict` and publishes the function's code; staging and production each get a change set of the
ServerlessApi template that the pipeline creates and executes, with a person approving in between.
Each stage's role may do only its own step; CloudFormation deploys with a role derived from what
the stack holds.
"""

from iac import App, Parameter, Stack, suppress
from iac.constructs import apigateway, awslambda, codepipeline, dynamodb, iam
from iac.constructs.patterns import DeliveryPipeline

app = App()

# The stack to deliver: the seed's SAM example, as in samples/serverless_api.
api = Stack(app, "ServerlessApi")
table = dynamodb.SimpleTable(api, "MyTable")
get_fn = awslambda.Function(api, "GetFunction", handler="index.get", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_asset("../serverless_api/src"),
                            environment={"TABLE_NAME": table.table_name})
table.grant_read(get_fn)
suppress(apigateway.RestApi(api, "Api").add_route("GET", "/resource/{resourceId}", get_fn), "IAC-APIGW-001",
         reason="the seed's public example API: anyone may read its items")

# The pipeline that releases it, in a stack of its own.
delivery = Stack(app, "Delivery")
# You deploy this stack (iac deploy Delivery): its roles carry the boundary `iac bootstrap` made, so the
# bootstrapped roles may deploy it. The delivered stack's roles get the pipeline's own boundary.
iam.PermissionsBoundary.of(delivery).apply(iam.ManagedPolicy.bootstrap_boundary())
github = Parameter(delivery, "GitHubConnectionArn", description="a CodeStar connection to GitHub, authorized")
release = DeliveryPipeline(delivery, "Release", stack=api, app="samples/pipeline/app.py",
                           source=codepipeline.GitHubSource(repository="example-org/iac", branch="main",
                                                            connection_arn=github.value),
                           install_commands=['pip install ".[test]"'], schedule="cron(0 3 * * ? *)")
suppress(release.pipeline.artifact_bucket, "IAC-S3-005",
         reason="pipeline artifacts, written and read by the pipeline's own roles only: CloudTrail and the "
                "pipeline's execution history record who ran what")

app.synth()
