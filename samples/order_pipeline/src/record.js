// Each SQS message is an S3 notification (delivered raw through the topic): read every uploaded order
// and put it in the table (TABLE_NAME). A message that fails is reported alone, so only it is retried.
const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");
const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");

const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});

async function recordOrder(bucket, key) {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const order = JSON.parse(await object.Body.transformToString());
  if (typeof order.id !== "string" || order.id === "") {
    throw new Error(`${key}: an order needs an id`);
  }
  await dynamodb.send(new PutItemCommand({
    TableName: process.env.TABLE_NAME,
    Item: { id: { S: order.id }, source: { S: `s3://${bucket}/${key}` }, body: { S: JSON.stringify(order) } },
  }));
}

exports.handler = async (event) => {
  const batchItemFailures = [];
  for (const message of event.Records) {
    try {
      const notification = JSON.parse(message.body);
      // S3 sends one s3:TestEvent (no Records) when the notification is configured: nothing to record.
      for (const record of notification.Records ?? []) {
        const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
        await recordOrder(record.s3.bucket.name, key);
      }
    } catch (error) {
      console.error(error);
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
};
