"""Step Functions: state machines whose definitions are typed Python, checked when they are created.

    from iac.constructs import stepfunctions as sfn

    get = sfn.DynamoGetItem("Get order", table=table, key={"pk": sfn.DynamoAttribute.string_at("$.id")},
                            result_path="$.order")
    ship = sfn.LambdaInvoke("Ship", function=ship_fn, output_path="$.Payload").add_retry(max_attempts=2)
    done = sfn.Choice("Shipped?").when(sfn.Condition.boolean_equals("$.shipped", True), sfn.Succeed("Done"))
    sfn.StateMachine(stack, "Orders", definition=get.next(ship).next(done.otherwise(sfn.Fail("Lost"))))

States: `Pass`, `Wait`, `Choice` (with `Condition`), `Parallel`, `Map`, `Succeed`, `Fail`, the generic `Task`
and the integrations (`LambdaInvoke`, `DynamoGetItem`, `DynamoPutItem`, `SnsPublish`, `SqsSendMessage`,
`StepFunctionsStartExecution`, `EcsRunTask`, `CallAwsService`). The state machine's role gets exactly what
the tasks need. See docs/workflows.md.
"""

from iac.constructs.stepfunctions.conditions import Condition
from iac.constructs.stepfunctions.state_machine import (
    EXPRESS_UNSUPPORTED_PATTERNS,
    LOG_DELIVERY_ACTIONS,
    METRIC_NAMESPACE,
    RESOURCE_TYPE,
    TASK_RESPONSE_ACTIONS,
    TRACING_ACTIONS,
    LogOptions,
    StateMachine,
    StateMachineType,
)
from iac.constructs.stepfunctions.states import (
    DISCARD,
    Chain,
    Chainable,
    Choice,
    Errors,
    Fail,
    Map,
    Parallel,
    Pass,
    State,
    Succeed,
    Wait,
)
from iac.constructs.stepfunctions.tasks import (
    LAMBDA_SERVICE_ERRORS,
    CallAwsService,
    DynamoAttribute,
    DynamoGetItem,
    DynamoPutItem,
    EcsRunTask,
    FunctionLike,
    IntegrationPattern,
    LambdaInvoke,
    QueueLike,
    SnsPublish,
    SqsSendMessage,
    StateMachineLike,
    StepFunctionsStartExecution,
    TableLike,
    Task,
    TaskInput,
    TopicLike,
)

__all__ = [
    "DISCARD", "EXPRESS_UNSUPPORTED_PATTERNS", "LAMBDA_SERVICE_ERRORS", "LOG_DELIVERY_ACTIONS", "METRIC_NAMESPACE",
    "RESOURCE_TYPE", "TASK_RESPONSE_ACTIONS", "TRACING_ACTIONS", "CallAwsService", "Chain", "Chainable", "Choice",
    "Condition", "DynamoAttribute", "DynamoGetItem", "DynamoPutItem", "EcsRunTask", "Errors", "Fail", "FunctionLike",
    "IntegrationPattern", "LambdaInvoke", "LogOptions", "Map", "Parallel", "Pass", "QueueLike", "SnsPublish",
    "SqsSendMessage", "State", "StateMachine", "StateMachineLike", "StateMachineType", "StepFunctionsStartExecution",
    "Succeed", "TableLike", "Task", "TaskInput", "TopicLike", "Wait",
]
