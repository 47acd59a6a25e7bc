import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { iamHandlers as h } from '../../../src/services/iam/index.ts';
import { ACCOUNT, ALLOW_S3, openTestEnv, rejectsWith, userPrincipal, type TestEnv } from './helpers.ts';

let env: TestEnv;
before(async () => {
  env = await openTestEnv();
});
after(() => env.close());

test('CreateUser returns the user with an AIDA id, its ARN and a whole-second CreateDate', async () => {
  const out = await h.CreateUser({ UserName: 'alice', Path: '/eng/' }, env.ctx());
  assert.equal(out.User!.UserName, 'alice');
  assert.equal(out.User!.Path, '/eng/');
  assert.equal(out.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/eng/alice`);
  assert.match(out.User!.UserId, /^AIDA[A-Z2-7]{17}$/);
  assert.equal(out.User!.CreateDate.getUTCMilliseconds(), 0);
  assert.equal(out.User!.Tags, undefined);
});

test('user names are unique case-insensitively and lookups ignore case', async () => {
  await rejectsWith(h.CreateUser({ UserName: 'ALICE' }, env.ctx()), 'EntityAlreadyExists', 409, 'User with name ALICE already exists.');
  const got = await h.GetUser({ UserName: 'Alice' }, env.ctx());
  assert.equal(got.User!.UserName, 'alice');
});

test('GetUser of a missing user is NoSuchEntity with IAM wording', async () => {
  await rejectsWith(h.GetUser({ UserName: 'nobody' }, env.ctx()), 'NoSuchEntity', 404, 'The user with name nobody cannot be found.');
});

test('GetUser without a name describes the calling user', async () => {
  const out = await h.GetUser({}, env.ctx(userPrincipal('alice')));
  assert.equal(out.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/eng/alice`);
});

test('ListUsers filters by PathPrefix and paginates with Marker/IsTruncated', async () => {
  await h.CreateUser({ UserName: 'bob' }, env.ctx());
  await h.CreateUser({ UserName: 'carol' }, env.ctx());
  const eng = await h.ListUsers({ PathPrefix: '/eng/' }, env.ctx());
  assert.deepEqual(eng.Users!.map((u) => u.UserName), ['alice']);
  const first = await h.ListUsers({ MaxItems: 2 }, env.ctx());
  assert.deepEqual(first.Users!.map((u) => u.UserName), ['alice', 'bob']);
  assert.equal(first.IsTruncated, true);
  const second = await h.ListUsers({ MaxItems: 2, Marker: first.Marker }, env.ctx());
  assert.deepEqual(second.Users!.map((u) => u.UserName), ['carol']);
  assert.equal(second.IsTruncated, false);
  assert.equal(second.Marker, undefined);
});

test('groups: membership in several groups, GetGroup lists members, ListGroupsForUser', async () => {
  await h.CreateGroup({ GroupName: 'admin' }, env.ctx());
  await h.CreateGroup({ GroupName: 'engineer' }, env.ctx());
  await h.AddUserToGroup({ GroupName: 'admin', UserName: 'bob' }, env.ctx());
  await h.AddUserToGroup({ GroupName: 'engineer', UserName: 'bob' }, env.ctx());
  await h.AddUserToGroup({ GroupName: 'engineer', UserName: 'carol' }, env.ctx());
  const g = await h.GetGroup({ GroupName: 'engineer' }, env.ctx());
  assert.match(g.Group.GroupId, /^AGPA[A-Z2-7]{17}$/);
  assert.deepEqual(g.Users.map((u) => u.UserName), ['bob', 'carol']);
  const forBob = await h.ListGroupsForUser({ UserName: 'bob' }, env.ctx());
  assert.deepEqual(forBob.Groups.map((x) => x.GroupName), ['admin', 'engineer']);
  await rejectsWith(h.GetGroup({ GroupName: 'ops' }, env.ctx()), 'NoSuchEntity', 404, 'The group with name ops cannot be found.');
});

test('DeleteGroup with members is a DeleteConflict', async () => {
  await rejectsWith(h.DeleteGroup({ GroupName: 'admin' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must remove users from group first.');
});

test('DeleteUser refuses while the user has a login profile, keys, policies or groups', async () => {
  await h.CreateUser({ UserName: 'dave' }, env.ctx());
  await h.CreateLoginProfile({ UserName: 'dave', Password: 'Str0ng!Passw0rd' }, env.ctx());
  await rejectsWith(h.DeleteUser({ UserName: 'dave' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must delete login profile first.');
  await h.DeleteLoginProfile({ UserName: 'dave' }, env.ctx());
  const key = await h.CreateAccessKey({ UserName: 'dave' }, env.ctx());
  await rejectsWith(h.DeleteUser({ UserName: 'dave' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must delete access keys first.');
  await h.DeleteAccessKey({ UserName: 'dave', AccessKeyId: key.AccessKey.AccessKeyId }, env.ctx());
  await h.PutUserPolicy({ UserName: 'dave', PolicyName: 's3', PolicyDocument: ALLOW_S3 }, env.ctx());
  await rejectsWith(h.DeleteUser({ UserName: 'dave' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must delete policies first.');
  await h.DeleteUserPolicy({ UserName: 'dave', PolicyName: 's3' }, env.ctx());
  await h.AttachUserPolicy({ UserName: 'dave', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, env.ctx());
  await rejectsWith(h.DeleteUser({ UserName: 'dave' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must detach all policies first.');
  await h.DetachUserPolicy({ UserName: 'dave', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, env.ctx());
  await h.AddUserToGroup({ GroupName: 'admin', UserName: 'dave' }, env.ctx());
  await rejectsWith(h.DeleteUser({ UserName: 'dave' }, env.ctx()), 'DeleteConflict', 409, 'Cannot delete entity, must remove users from group first.');
  await h.RemoveUserFromGroup({ GroupName: 'admin', UserName: 'dave' }, env.ctx());
  assert.deepEqual(await h.DeleteUser({ UserName: 'dave' }, env.ctx()), {});
  await rejectsWith(h.GetUser({ UserName: 'dave' }, env.ctx()), 'NoSuchEntity', 404, 'The user with name dave cannot be found.');
});

test('UpdateUser renames the user and carries its access keys along', async () => {
  await h.CreateUser({ UserName: 'erin' }, env.ctx());
  const key = await h.CreateAccessKey({ UserName: 'erin' }, env.ctx());
  await h.AddUserToGroup({ GroupName: 'engineer', UserName: 'erin' }, env.ctx());
  await h.UpdateUser({ UserName: 'erin', NewUserName: 'erin2', NewPath: '/ops/' }, env.ctx());
  const got = await h.GetUser({ UserName: 'erin2' }, env.ctx());
  assert.equal(got.User!.Arn, `arn:aws:iam::${ACCOUNT}:user/ops/erin2`);
  const keys = await h.ListAccessKeys({ UserName: 'erin2' }, env.ctx());
  assert.deepEqual(keys.AccessKeyMetadata.map((k) => [k.AccessKeyId, k.UserName]), [[key.AccessKey.AccessKeyId, 'erin2']]);
  const g = await h.GetGroup({ GroupName: 'engineer' }, env.ctx());
  assert.ok(g.Users.some((u) => u.UserName === 'erin2'));
});

test('a user can be in at most 10 groups', async () => {
  await h.CreateUser({ UserName: 'joiner' }, env.ctx());
  for (let i = 0; i < 10; i++) {
    await h.CreateGroup({ GroupName: `g${i}` }, env.ctx());
    await h.AddUserToGroup({ GroupName: `g${i}`, UserName: 'joiner' }, env.ctx());
  }
  await h.CreateGroup({ GroupName: 'g10' }, env.ctx());
  await rejectsWith(h.AddUserToGroup({ GroupName: 'g10', UserName: 'joiner' }, env.ctx()), 'LimitExceeded', 409, 'Cannot exceed quota for GroupsPerUser: 10');
});

test('tags: Tag/List/Untag on a user, keys case-insensitive, duplicates rejected', async () => {
  await h.TagUser({ UserName: 'bob', Tags: [{ Key: 'team', Value: 'a' }] }, env.ctx());
  await h.TagUser({ UserName: 'bob', Tags: [{ Key: 'Team', Value: 'b' }, { Key: 'env', Value: 'dev' }] }, env.ctx());
  assert.deepEqual((await h.ListUserTags({ UserName: 'bob' }, env.ctx())).Tags, [
    { Key: 'Team', Value: 'b' },
    { Key: 'env', Value: 'dev' },
  ]);
  await rejectsWith(
    h.TagUser({ UserName: 'bob', Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] }, env.ctx()),
    'InvalidInput',
    400,
    'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
  );
  await h.UntagUser({ UserName: 'bob', TagKeys: ['TEAM'] }, env.ctx());
  assert.deepEqual((await h.ListUserTags({ UserName: 'bob' }, env.ctx())).Tags, [{ Key: 'env', Value: 'dev' }]);
  const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await rejectsWith(h.TagUser({ UserName: 'bob', Tags: tooMany }, env.ctx()), 'LimitExceeded', 409, 'Cannot exceed quota for TagsPerResource: 50');
});
