// The function behind the "live" alias: CodeDeploy moves traffic to each new version gradually.
exports.get = async (event) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ resourceId: event.pathParameters ? event.pathParameters.resourceId : null }),
});
