// GET /resource/{resourceId}: read one item from the table named in TABLE_NAME.
const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

exports.get = async (event) => {
  const id = event.pathParameters.resourceId;
  const result = await client.send(new GetItemCommand({
    TableName: process.env.TABLE_NAME,
    Key: { id: { S: id } },
  }));
  if (!result.Item) {
    return { statusCode: 404, body: JSON.stringify({ message: "not found" }) };
  }
  return { statusCode: 200, body: JSON.stringify(result.Item) };
};
