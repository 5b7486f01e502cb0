// Runs autocannon in its own process, so that the load generator does not share the event loop (or the CPU
// time it measures) with the server under test. Input: one JSON argument; output: one JSON line on stdout.
const autocannon = require('autocannon');

const { url, token, seededUsers, connections, duration, amount, run } = JSON.parse(process.argv[2]);
const headers = {
  accept: 'application/scim+json',
  authorization: `Bearer ${token}`,
  'content-type': 'application/scim+json; charset=utf-8',
  'user-agent': 'Okta SCIM Client 1.0.0',
};
let created = 0;
const statuses = {};
const expected = [200, 201, 200, 200, 200];
const counted = (index) => (status, _body, context) => {
  const key = `${index}:${status}`;
  statuses[key] = (statuses[key] ?? 0) + 1;
  if (status !== expected[index]) context.failed = true;
};
const userBody = (userName, extra) =>
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: 'Load', familyName: 'Test' },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: 'Load Test',
    active: true,
    ...extra,
  });

// Okta's provisioning of one user, then its import paging: lookup, create, profile push, deactivation, a list page.
const requests = [
  {
    method: 'GET',
    setupRequest: (request, context) => {
      created += 1;
      context.userName = `load${created}.${run}@example.com`;
      return {
        ...request,
        path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${context.userName}"`)}&startIndex=1&count=100`,
      };
    },
    onResponse: counted(0),
  },
  {
    method: 'POST',
    path: '/scim/v2/Users',
    setupRequest: (request, context) => ({ ...request, body: userBody(context.userName, {}) }),
    onResponse: (status, body, context) => {
      counted(1)(status, body, context);
      if (status === 201) context.id = JSON.parse(body).id;
    },
  },
  {
    method: 'PUT',
    setupRequest: (request, context) =>
      context.id
        ? { ...request, path: `/scim/v2/Users/${context.id}`, body: userBody(context.userName, { title: 'Engineer' }) }
        : false,
    onResponse: counted(2),
  },
  {
    method: 'PATCH',
    setupRequest: (request, context) => ({
      ...request,
      path: `/scim/v2/Users/${context.id}`,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      }),
    }),
    onResponse: counted(3),
  },
  {
    method: 'GET',
    setupRequest: (request) => {
      const pages = Math.max(1, Math.floor(seededUsers / 100));
      const startIndex = 1 + 100 * Math.floor(Math.random() * pages);
      return { ...request, path: `/scim/v2/Users?startIndex=${startIndex}&count=100` };
    },
    onResponse: counted(4),
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
