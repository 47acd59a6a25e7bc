/**
 * How each service family answers a denied request. The message is AWS's
 * ("User: … is not authorized to perform: … because no identity-based policy allows …"); the code
 * and status differ by family.
 *
 * EC2 adds, for actions on a resource, the details of the denial as an encoded message that only
 * sts:DecodeAuthorizationMessage reads ("… because no identity-based policy allows the
 * ec2:RunInstances action. Encoded authorization failure message: <encoded>"); Describe* calls
 * (resource "*") carry the plain message, as on AWS.
 */
import { AwsError } from '../../core/errors.ts';
import type { AuthFamily } from '../../auth/sigv4/types.ts';
import type { ContextValue } from '../policy/context.ts';
import { encodeAuthorizationMessage } from './encoded-message.ts';

/** What the authorizer may add for the encoded message; without it the details come from the message. */
export interface DenialDetails {
  /** The caller's unique id (AIDA…, AROA…:session), shown as context.principal.id. */
  principalId?: string;
  /** The request's condition keys, shown as context.conditions. */
  context?: Record<string, ContextValue>;
}

export function accessDeniedError(family: AuthFamily, message: string, details?: DenialDetails): AwsError {
  switch (family) {
    case 'json':
      return new AwsError('AccessDeniedException', message, { status: 400 });
    case 'rest-json':
      return new AwsError('AccessDeniedException', message, { status: 403 });
    case 'ec2':
      return new AwsError('UnauthorizedOperation', ec2DenialMessage(message, details), { status: 403 });
    case 's3':
      return new AwsError('AccessDenied', message, { status: 403 });
    default:
      return new AwsError('AccessDenied', message, { status: 403 });
  }
}

const DENIAL = /^User: (\S+) is not authorized to perform: (\S+) on resource: (\S+)(?: (.*))?$/;

function ec2DenialMessage(message: string, details: DenialDetails | undefined): string {
  const parsed = DENIAL.exec(message);
  if (!parsed) return `You are not authorized to perform this operation. ${message}`;
  const [, principalArn, action, resource, reason] = parsed as unknown as [string, string, string, string, string | undefined];
  const decoded = {
    allowed: false,
    explicitDeny: reason?.startsWith('with an explicit deny') ?? false,
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: {
      principal: { ...(details?.principalId ? { id: details.principalId } : {}), name: nameOf(principalArn), arn: principalArn },
      action,
      resource,
      conditions: { items: conditionItems(resource, details?.context ?? {}) },
    },
  };
  const encoded = encodeAuthorizationMessage(decoded, arnField(principalArn, 4));
  return `You are not authorized to perform this operation. ${message}. Encoded authorization failure message: ${encoded}`;
}

/** arn:partition:service:region:account:resource → field `index`. */
function arnField(arn: string, index: number): string {
  return arn.split(':')[index] ?? '';
}

/** The last name in a principal ARN: the user name, the role session name, or the account for root. */
function nameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource === 'root' ? arnField(arn, 4) : resource.slice(resource.lastIndexOf('/') + 1);
}

type ConditionItem = { key: string; values: { items: Array<{ value: string }> } };

/**
 * The conditions AWS lists in a decoded message: keys describing the resource (aws:Region,
 * aws:Service, aws:Resource, aws:Account, aws:Type, aws:ARN) around the request's own keys.
 */
function conditionItems(resource: string, context: Record<string, ContextValue>): ConditionItem[] {
  const item = (key: string, value: ContextValue): ConditionItem => ({
    key,
    values: { items: (Array.isArray(value) ? value : [value]).map((v) => ({ value: String(v) })) },
  });
  const items: ConditionItem[] = [];
  const region = arnField(resource, 3);
  const account = arnField(resource, 4);
  const path = resource.split(':').slice(5).join(':');
  if (region) items.push(item('aws:Region', region));
  items.push(item('aws:Service', arnField(resource, 2)));
  items.push(item('aws:Resource', path));
  for (const [key, value] of Object.entries(context)) if (!key.startsWith('aws:')) items.push(item(key, value));
  if (account) items.push(item('aws:Account', account));
  items.push(item('aws:Type', path.includes('/') ? path.slice(0, path.indexOf('/')) : path));
  items.push(item('aws:ARN', resource));
  return items;
}
