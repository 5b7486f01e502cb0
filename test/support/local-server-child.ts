import '../../local/sdk-warnings';
import { createLocalServer, listen } from '../../local/server';

/**
 * The local HTTP server in a process of its own, configured by the environment it inherits (the variables
 * `applyLocalEnvironment` sets) and listening on `PORT`. Tests that need the AWS SDK's own network errors use
 * it: inside jest's sandbox, errors raised by Node's sockets come from another realm, and the SDK's retry layer
 * then wraps them into plain errors without their `code`, which no Lambda ever sees.
 */
const server = createLocalServer();
listen(server, Number(process.env.PORT)).then(
  (port) => process.stderr.write(`listening on ${port}\n`),
  (error: unknown) => {
    process.stderr.write(`cannot listen: ${String(error)}\n`);
    process.exit(1);
  },
);
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
