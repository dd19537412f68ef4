// PreTraffic hook: CodeDeploy calls it before any traffic reaches the new version. It invokes that
// version once and reports Succeeded or Failed; Failed (or no answer) rolls the deployment back.
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require("@aws-sdk/client-codedeploy");
const { LambdaClient, InvokeCommand } = require("@aws-sdk/client-lambda");

const codedeploy = new CodeDeployClient({});
const lambda = new LambdaClient({});

exports.handler = async (event) => {
  let status = "Succeeded";
  try {
    const response = await lambda.send(new InvokeCommand({
      FunctionName: process.env.NEW_VERSION,
      Payload: JSON.stringify({ pathParameters: { resourceId: "smoke-test" } }),
    }));
    const answer = JSON.parse(Buffer.from(response.Payload).toString());
    if (response.FunctionError || answer.statusCode !== 200) status = "Failed";
  } catch (error) {
    console.error(error);
    status = "Failed";
  }
  await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
  return status;
};
