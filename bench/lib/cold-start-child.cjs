// Runs in a fresh Node process: loads one function bundle and answers one request, timing both, as a Lambda
// cold start would. Plain CommonJS so that nothing but the bundle itself is loaded.
const { readFileSync } = require('node:fs');

const [bundlePath, eventPath] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const context = {
  functionName: 'bench',
  awsRequestId: event.requestContext.requestId,
  getRemainingTimeInMillis: () => 10000,
  callbackWaitsForEmptyEventLoop: false,
};
// Keep the functions' request logs out of the measurement's output.
process.stdout.write = () => true;
const started = performance.now();
const { handler } = require(bundlePath);
const loaded = performance.now();
Promise.resolve(handler(event, context)).then(
  (result) => {
    const answered = performance.now();
    process.stderr.write(
      `${JSON.stringify({ loadMs: loaded - started, firstRequestMs: answered - loaded, totalMs: answered - started, status: result.statusCode })}\n`,
    );
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${JSON.stringify({ error: String(error) })}\n`);
    process.exit(1);
  },
);
