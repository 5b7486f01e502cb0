import { invalidGrant } from '../../core/oauth/errors';
import { recordProvisioningOperation, recordTokenFailure } from '../../functions/_shared/metrics';
import { oauthRoute } from '../../functions/_shared/oauth-route';
import { scimRoute } from '../../functions/_shared/scim-route';
import { apiEvent, lambdaContext } from '../support/api-event';
import { useEnvironmentWithoutDatabase } from '../support/local-service';
import { captureLogs } from '../support/log-capture';

/**
 * CloudWatch cannot run here, so these tests check what CloudWatch would read: the embedded metric format
 * (EMF) documents the functions write to stdout. CloudWatch turns exactly such a document into metrics: the
 * `_aws.CloudWatchMetrics` directive names the namespace, dimension sets and metrics, and the top-level keys
 * carry the dimension values, the metric values and searchable metadata.
 */
type Emf = {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
};

const emfDocuments = (lines: Record<string, unknown>[]): Emf[] =>
  lines.filter((line): line is Emf => typeof line._aws === 'object' && line._aws !== null);

async function run(handler: ReturnType<typeof scimRoute>) {
  const event = apiEvent('GET', '/scim/v2/ServiceProviderConfig');
  const logs = captureLogs();
  try {
    const result = await handler(event, lambdaContext());
    return { result, event, emf: emfDocuments(logs.json()), lines: logs.json() };
  } finally {
    logs.restore();
  }
}

beforeAll(() => useEnvironmentWithoutDatabase('https://scim.example.test'));

describe('business metrics, checked as the EMF documents written to stdout', () => {
  test('a provisioning operation is one EMF document, in the request line itself: namespace, operation dimension, count, tenant', async () => {
    const handler = scimRoute(async () => {
      recordProvisioningOperation('create', 'tenant-a');
      return { status: 201, body: {} };
    });
    const { result, event, emf, lines } = await run(handler);
    expect(result.statusCode).toBe(201);
    expect(emf).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(emf[0]).toMatchObject({ message: 'request', level: 'INFO', status: 201 });
    // Keys that are the same on every line of a function's log group are not repeated on each line.
    for (const key of [
      'function_name',
      'function_arn',
      'function_memory_size',
      'function_request_id',
      'sampling_rate',
    ]) {
      expect(emf[0]).not.toHaveProperty(key);
    }
    const [document] = emf as [Emf];
    expect(document._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'ScimProvisioning',
        Dimensions: [['service', 'operation']],
        Metrics: [{ Name: 'ProvisioningOperations', Unit: 'Count' }],
      },
    ]);
    expect(typeof document._aws.Timestamp).toBe('number');
    expect(document).toMatchObject({
      service: 'scim-provisioning',
      operation: 'create',
      ProvisioningOperations: 1,
      tenant: 'tenant-a',
      requestId: event.requestContext.requestId,
    });
  });

  test('a token failure is counted by reason and in total (two dimension sets), even when the handler throws', async () => {
    const handler = oauthRoute(async () => {
      recordTokenFailure('invalid_grant');
      throw invalidGrant('The authorization code has expired');
    });
    const { result, emf } = await run(handler);
    expect(result.statusCode).toBe(400);
    expect(emf).toHaveLength(1);
    const [document] = emf as [Emf];
    expect(document._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'ScimProvisioning',
      Dimensions: [['service', 'reason'], ['service']],
      Metrics: [{ Name: 'TokenFailures', Unit: 'Count' }],
    });
    expect(document).toMatchObject({ reason: 'invalid_grant', TokenFailures: 1 });
  });

  test('different operations in one request are separate documents, so no metric gets another’s dimension', async () => {
    const handler = scimRoute(async () => {
      recordProvisioningOperation('get', 'tenant-b');
      recordProvisioningOperation('deactivate', 'tenant-b');
      recordProvisioningOperation('deactivate', 'tenant-b');
      return { status: 200, body: {} };
    });
    const { emf } = await run(handler);
    expect(emf.map((document) => [document.operation, document.ProvisioningOperations])).toEqual([
      ['get', 1],
      ['deactivate', 2],
    ]);
  });

  test('a request that recorded nothing writes no EMF document, and records do not leak into the next request', async () => {
    const recording = scimRoute(async () => {
      recordProvisioningOperation('patch', 'tenant-c');
      throw new Error('unexpected');
    });
    const silent = scimRoute(async () => ({ status: 200, body: {} }));
    const first = await run(recording);
    expect(first.result.statusCode).toBe(500);
    expect(first.emf.map((document) => document.operation)).toEqual(['patch']);
    const second = await run(silent);
    expect(second.emf).toEqual([]);
    expect(second.lines.filter((line) => line.message === 'request')).toHaveLength(1);
  });

  test('the first request of an execution environment also writes the ColdStart metric with the function name', () => {
    const previous = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    return new Promise<void>((resolve, reject) => {
      jest.isolateModules(() => {
        const fresh =
          require('../../functions/_shared/scim-route') as typeof import('../../functions/_shared/scim-route');
        const handler = fresh.scimRoute(async () => ({ status: 200, body: {} }));
        (async () => {
          const first = await run(handler);
          const second = await run(handler);
          const coldStarts = (documents: Emf[]) =>
            documents.filter((document) =>
              document._aws.CloudWatchMetrics[0]?.Metrics.some((metric) => metric.Name === 'ColdStart'),
            );
          expect(coldStarts(first.emf)).toHaveLength(1);
          expect(coldStarts(first.emf)[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
            Namespace: 'ScimProvisioning',
            Dimensions: [['service', 'function_name']],
          });
          expect(coldStarts(first.emf)[0]).toMatchObject({ function_name: 'test', ColdStart: 1 });
          expect(coldStarts(second.emf)).toEqual([]);
          const requestLine = (lines: Record<string, unknown>[]) => lines.find((line) => line.message === 'request');
          expect(requestLine(first.lines)).toMatchObject({ cold_start: true });
          expect(requestLine(second.lines)).not.toHaveProperty('cold_start');
        })()
          .then(resolve, reject)
          .finally(() => {
            if (previous === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
            else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = previous;
          });
      });
    });
  });
});
