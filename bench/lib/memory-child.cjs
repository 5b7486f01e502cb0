// Runs in a fresh Node process: loads one function bundle and answers a series of requests one after the other,
// as one Lambda execution environment would, then reports its peak resident memory and its CPU time: for loading
// and the first request, and per warm request after it. Plain CommonJS so that nothing but the bundle is loaded.
const { readFileSync } = require('node:fs');

const [bundlePath, eventsPath] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsPath, 'utf8'));
const contextFor = (event) => ({
  functionName: 'bench',
  awsRequestId: event.requestContext.requestId,
  getRemainingTimeInMillis: () => 10000,
  callbackWaitsForEmptyEventLoop: false,
});
// Keep the functions' request logs out of the measurement's output.
process.stdout.write = () => true;
const cpuMicros = (usage) => usage.user + usage.system;

async function main() {
  const started = process.cpuUsage();
  const { handler } = require(bundlePath);
  const statuses = [];
  const [first, ...rest] = events;
  statuses.push((await handler(first, contextFor(first))).statusCode);
  const coldCpu = cpuMicros(process.cpuUsage(started));
  const coldRssKb = process.resourceUsage().maxRSS;
  const warm = process.cpuUsage();
  for (const event of rest) statuses.push((await handler(event, contextFor(event))).statusCode);
  const warmCpu = cpuMicros(process.cpuUsage(warm));
  process.stderr.write(
    `${JSON.stringify({
      coldCpuMicros: coldCpu,
      warmCpuMicrosPerRequest: rest.length > 0 ? warmCpu / rest.length : 0,
      coldRssKb,
      peakRssKb: process.resourceUsage().maxRSS,
      statuses,
    })}\n`,
  );
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${JSON.stringify({ error: String(error) })}\n`);
  process.exit(1);
});
