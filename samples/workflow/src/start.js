// POST /orders: start an execution of the order workflow (STATE_MACHINE_ARN) with the order as input.
const { SFNClient, StartExecutionCommand } = require("@aws-sdk/client-sfn");
const { randomUUID } = require("crypto");

const client = new SFNClient({});

exports.handler = async (event) => {
  const order = JSON.parse(event.body || "{}");
  if (typeof order.item !== "string" || order.item === "") {
    return { statusCode: 400, body: JSON.stringify({ message: "an order needs an item" }) };
  }
  const input = { id: randomUUID(), item: order.item, quantity: order.quantity ?? 1 };
  const started = await client.send(new StartExecutionCommand({
    stateMachineArn: process.env.STATE_MACHINE_ARN,
    name: input.id,
    input: JSON.stringify(input),
  }));
  return { statusCode: 202, body: JSON.stringify({ id: input.id, executionArn: started.executionArn }) };
};
