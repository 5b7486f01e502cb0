// The machines that run the local service are on Node 20; the Lambda runtime is newer. The AWS SDK's notice
// about its future Node 22 requirement says nothing actionable to someone running `npm start` or the tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
