import { userPartitionProblems } from '../support/storage-consistency';

// The checker the fault and fuzz tests rely on must itself see a half-written user.
const pk = 'TENANT#t';
const user = {
  pk,
  sk: 'USER#u1',
  id: 'u1',
  resource: JSON.stringify({
    userName: 'Jane@Example.com',
    externalId: 'x1',
    emails: [{ value: 'Jane@Example.com' }, { value: 'Jane.Doe@Example.com' }],
  }),
};
const whole = [
  user,
  { pk, sk: 'USERNAME#jane@example.com', userId: 'u1' },
  { pk, sk: 'EXTID#x1#u1', userId: 'u1' },
  { pk, sk: 'EMAIL#jane.doe%40example.com#u1', userId: 'u1' },
  { pk, sk: 'COUNT#3', users: 1, deletes: 0 },
];

describe('userPartitionProblems', () => {
  test('a whole user has none', () => {
    expect(userPartitionProblems(whole)).toEqual([]);
  });

  test.each([
    ['the uniqueness item is missing', whole.filter((item) => !item.sk.startsWith('USERNAME#'))],
    ['a lookup item is missing', whole.filter((item) => !item.sk.startsWith('EMAIL#'))],
    ['only key items are left', whole.filter((item) => item !== user)],
    ['a key item points elsewhere', [...whole, { pk, sk: 'EXTID#x1#u2', userId: 'u2' }]],
    ['the counters disagree', whole.filter((item) => !item.sk.startsWith('COUNT#'))],
  ])('finds it when %s', (_case, items) => {
    expect(userPartitionProblems(items)).not.toEqual([]);
  });
});
