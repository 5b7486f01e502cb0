import { SCIM_ERROR_SCHEMA } from '../../core/scim/errors';
import { type RunningService, startService } from '../support/local-service';
import { patchOp, type ScimClient, scimClient } from '../support/scim-client';
import { oktaCreateBody } from '../support/scim-fixtures';
import { scimTestToken } from '../support/tokens';

// Races the SCIM concurrency and OAuth token tests do not already cover (fifty creates of one userName, two
// writers with one If-Match, PATCH + PUT, ten redemptions of one code and ten parallel refreshes are there).

let service: RunningService;

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service.close());

type User = Record<string, unknown> & { id: string; meta: { version: string } };
const newTenant = async (): Promise<ScimClient> => scimClient(service, (await scimTestToken()).token);

describe('races', () => {
  test('ten parallel PUTs with the same If-Match: exactly one wins, nine get 412, and the winner’s write is stored', async () => {
    const client = await newTenant();
    const user = (await client.post('/Users', oktaCreateBody('ten.writers@example.com'))).body as User;
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, writer) =>
        client.put(`/Users/${user.id}`, { ...user, title: `Writer ${writer}` }, { 'If-Match': user.meta.version }),
      ),
    );
    const winners = responses.filter((response) => response.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of responses.filter((response) => response.status !== 200)) {
      expect(loser.status).toBe(412);
      expect(loser.body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '412' });
    }
    const stored = (await client.get(`/Users/${user.id}`)).body as User;
    expect(stored.title).toBe((winners[0]?.body as User | undefined)?.title);
    expect(stored.meta.version).toBe('W/"2"');
  });

  test('parallel PATCHes with the same If-Match: one winner, the others 412', async () => {
    const client = await newTenant();
    const user = (await client.post('/Users', oktaCreateBody('patch.writers@example.com'))).body as User;
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, writer) =>
        client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'nickName', value: `Nick ${writer}` }), {
          'If-Match': user.meta.version,
        }),
      ),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
  });

  test('a PATCH deactivation racing a PUT profile update: both changes survive, whatever the order', async () => {
    const client = await newTenant();
    for (let round = 0; round < 6; round += 1) {
      const user = (await client.post('/Users', oktaCreateBody(`deactivate.race${round}@example.com`))).body as User;
      // Okta's PUT carries the profile but (as the README says) leaves `active` as it is when it omits it.
      const { active: _active, meta: _meta, ...profile } = user;
      const [deactivated, updated] = await Promise.all([
        client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } })),
        client.put(`/Users/${user.id}`, { ...profile, title: 'Updated by PUT', nickName: 'Janie' }),
      ]);
      expect([deactivated.status, updated.status]).toEqual([200, 200]);
      const stored = (await client.get(`/Users/${user.id}`)).body as User;
      expect(stored).toMatchObject({ active: false, title: 'Updated by PUT', nickName: 'Janie' });
      expect(stored.meta.version).toBe('W/"3"');
    }
  });

  test('a DELETE racing PUTs and PATCHes: the user is gone afterwards, nothing is resurrected or half-deleted', async () => {
    const client = await newTenant();
    const user = (await client.post('/Users', oktaCreateBody('delete.race@example.com'))).body as User;
    const responses = await Promise.all([
      client.delete(`/Users/${user.id}`),
      ...Array.from({ length: 4 }, (_, writer) => client.put(`/Users/${user.id}`, { ...user, title: `W${writer}` })),
      ...Array.from({ length: 4 }, () =>
        client.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } })),
      ),
    ]);
    expect(responses[0]?.status).toBe(204);
    for (const response of responses.slice(1)) expect([200, 404]).toContain(response.status);
    expect((await client.get(`/Users/${user.id}`)).status).toBe(404);
    const listed = await client.get(`/Users?filter=${encodeURIComponent('userName eq "delete.race@example.com"')}`);
    expect(listed.body).toMatchObject({ totalResults: 0 });
    expect((await client.get('/Users?count=0')).body).toMatchObject({ totalResults: 0 });
    // The userName is free again.
    expect((await client.post('/Users', oktaCreateBody('DELETE.race@example.com'))).status).toBe(201);
  });
});
