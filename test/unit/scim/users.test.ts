import { MemoryUserStore } from '../../../adapters/memory/user-store';
import { listQueryFromParameters } from '../../../core/scim/list-query';
import type { UserRecord } from '../../../core/scim/user-record';
import { createUser, getUser, listUsers, patchUser, replaceUser, type UsersContext } from '../../../core/scim/users';
import { oktaCreateBody } from '../../support/scim-fixtures';

// The Users core on the in-memory user store (held to the DynamoDB adapter's behaviour by test/contract): the
// read-change-write loop under a concurrent writer, which a test over HTTP cannot time on purpose.

const BASE_URL = 'https://scim.example.test/scim/v2';
const deactivate = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { active: false } }],
};

/** A store on which another writer changes the user right after each of the next `races` reads. */
class RacedStore extends MemoryUserStore {
  private races = 0;

  raceNextReads(races: number): void {
    this.races = races;
  }

  override async get(tenantId: string, id: string): Promise<UserRecord | undefined> {
    const read = await super.get(tenantId, id);
    if (read && this.races > 0) {
      this.races -= 1;
      const title = `changed meanwhile ${this.races}`;
      await super.update(tenantId, read, {
        ...read,
        version: read.version + 1,
        attributes: { ...read.attributes, title },
      });
    }
    return read;
  }
}

const contextOf = (store: MemoryUserStore): UsersContext => ({ store, tenantId: 'tenant-a' });

test('a write that lost a race to another writer is made again on a fresh read, keeping the other change', async () => {
  const store = new RacedStore();
  const context = contextOf(store);
  const user = await createUser(context, oktaCreateBody());
  store.raceNextReads(2);
  const patched = await patchUser(context, user.id, deactivate, undefined);
  expect(patched.attributes).toMatchObject({ active: false, title: 'changed meanwhile 0' });
  expect(patched.version).toBe(user.version + 3);
  expect(await getUser(context, user.id)).toEqual(patched);
});

test('with If-Match, a write that lost the race is 412 and changes nothing of its own', async () => {
  const store = new RacedStore();
  const context = contextOf(store);
  const user = await createUser(context, oktaCreateBody());
  store.raceNextReads(1);
  await expect(patchUser(context, user.id, deactivate, `W/"${user.version}"`)).rejects.toMatchObject({ status: 412 });
  const stored = await getUser(context, user.id);
  expect(stored.attributes).toMatchObject({ active: true, title: 'changed meanwhile 0' });
  expect(stored.version).toBe(user.version + 1);
  store.raceNextReads(1);
  await expect(replaceUser(context, user.id, oktaCreateBody(), `W/"${stored.version}"`)).rejects.toMatchObject({
    status: 412,
  });
});

test('a filter on a value no user can carry answers no users without asking the store', async () => {
  const store = new MemoryUserStore();
  const context = contextOf(store);
  await createUser(context, oktaCreateBody());
  const findByKeys = jest.spyOn(store, 'findByKeys');
  const readAll = jest.spyOn(store, 'readAll');
  const body = await listUsers(
    context,
    listQueryFromParameters({ filter: `userName eq "${'x'.repeat(1100)}"` }),
    BASE_URL,
  );
  expect(body).toMatchObject({ totalResults: 0, Resources: [] });
  expect(findByKeys).not.toHaveBeenCalled();
  expect(readAll).not.toHaveBeenCalled();
});
