// Runs autocannon in its own process against one scenario of the floor comparison, so that the load generator
// does not share the event loop (or the CPU time it measures) with the server under test.
// Input: one JSON argument; output: one JSON line on stdout.
const autocannon = require('autocannon');

const { url, token, scenario, userId, userName, run, connections, duration, amount, expected } = JSON.parse(
  process.argv[2],
);
const headers = {
  accept: 'application/scim+json',
  authorization: `Bearer ${token}`,
  'content-type': 'application/scim+json; charset=utf-8',
  'user-agent': 'Okta SCIM Client 1.0.0',
};
let created = 0;
let active = true;
const statuses = {};

const requestFor = {
  get: () => ({ method: 'GET', path: `/scim/v2/Users/${userId}` }),
  lookup: () => ({
    method: 'GET',
    path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
  }),
  create: () => {
    created += 1;
    const name = `floor${created}.${run}@example.com`;
    return {
      method: 'POST',
      path: '/scim/v2/Users',
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: name,
        name: { givenName: 'Load', familyName: 'Test' },
        emails: [{ primary: true, value: name, type: 'work' }],
        displayName: 'Load Test',
        active: true,
      }),
    };
  },
  patch: () => {
    active = !active;
    return {
      method: 'PATCH',
      path: `/scim/v2/Users/${userId}`,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active } }],
      }),
    };
  },
  list: () => ({ method: 'GET', path: '/scim/v2/Users?startIndex=1&count=100' }),
}[scenario];

const requests = [
  {
    setupRequest: (request) => ({ ...request, ...requestFor() }),
    onResponse: (status, _body, context) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== expected) context.failed = true;
    },
  },
];

autocannon({ url, connections, headers, requests, ...(amount ? { amount } : { duration }) }, (error, result) => {
  if (error) {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ result, statuses })}\n`);
  process.exit(0);
});
