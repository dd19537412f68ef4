"""An order workflow behind an API: POST /orders starts a Step Functions execution that validates the
order with a Lambda function (retrying Lambda's transient errors and the function's own timeouts),
records it in a DynamoDB table (retrying throttling), and ends in Succeed, or in Fail when the order is
rejected or a step keeps failing.

The state machine's role may invoke the validating function and put items in the table, nothing more;
the API's function may start executions of this state machine only.
"""

from iac import App, Duration, Stack, suppress
from iac.constructs import apigateway, awslambda, dynamodb, iam, logs
from iac.constructs import stepfunctions as sfn

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "Workflow")

orders = dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute("id", dynamodb.AttributeType.STRING))
validate_fn = awslambda.Function(stack, "Validate", handler="validate.handler",
                                 runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=awslambda.Code.from_asset("src"),
                                 timeout=Duration.seconds(10))

failed = sfn.Fail("Failed", error="OrderFailed", cause="a step kept failing; see the execution's history")
rejected = sfn.Fail("Rejected", error="OrderRejected", cause="the order did not pass validation")

validate = (sfn.LambdaInvoke("Validate order", function=validate_fn, result_path="$.validation",
                             result_selector={"valid.$": "$.Payload.valid", "reason.$": "$.Payload.reason"})
            .add_retry(errors=[sfn.Errors.TIMEOUT], interval=Duration.seconds(2), max_attempts=2)
            .add_catch(failed, result_path="$.error"))
record = (sfn.DynamoPutItem("Record order", table=orders, result_path=sfn.DISCARD,
                            item={"id": sfn.DynamoAttribute.string_at("$.id"),
                                  "item": sfn.DynamoAttribute.string_at("$.item"),
                                  "quantity": sfn.DynamoAttribute.number_at("States.Format('{}', $.quantity)"),
                                  "status": sfn.DynamoAttribute.string("ACCEPTED")})
          .add_retry(errors=["DynamoDB.ProvisionedThroughputExceededException"], interval=Duration.seconds(1),
                     max_attempts=5, backoff_rate=2, jitter="FULL")
          .add_catch(failed, result_path="$.error"))
valid = (sfn.Choice("Valid?")
         .when(sfn.Condition.boolean_equals("$.validation.valid", True), record.next(sfn.Succeed("Accepted")))
         .otherwise(rejected))

machine = sfn.StateMachine(stack, "OrderWorkflow", definition=validate.next(valid), timeout=Duration.minutes(5),
                           logs=sfn.LogOptions(destination=logs.LogGroup(stack, "WorkflowLogs"), level="ERROR"))

start_fn = awslambda.Function(stack, "StartOrder", handler="start.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_asset("src"),
                              environment={"STATE_MACHINE_ARN": machine.state_machine_arn})
machine.grant_start_execution(start_fn)
api = apigateway.RestApi(stack, "Api")
suppress(api.add_route("POST", "/orders", start_fn), "IAC-APIGW-001",
         reason="a sample: anyone may place an order; a real shop puts an authorizer in front")

app.synth()
