"""The seed's SAM example in iac: a function, its role, a REST API and a DynamoDB table.

SAM needs ~20 lines of YAML for this; here the role, the least-privilege read policy on the table,
the API's resource tree, the proxy integration, the scoped invoke permission, the deployment and
the stage all come from the constructs.
"""

from iac import App, Stack, suppress
from iac.constructs import apigateway, awslambda, dynamodb, iam

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "ServerlessApi")
table = dynamodb.SimpleTable(stack, "MyTable")
get_fn = awslambda.Function(stack, "GetFunction", handler="index.get", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_asset("src"),
                            environment={"TABLE_NAME": table.table_name})
table.grant_read(get_fn)
api = apigateway.RestApi(stack, "Api")
suppress(api.add_route("GET", "/resource/{resourceId}", get_fn), "IAC-APIGW-001",
         reason="the seed's public example API: anyone may read its items")

app.synth()
