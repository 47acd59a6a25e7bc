/**
 * Session policies and session tags passed to AssumeRole and GetFederationToken ("Session
 * policies", "Passing session tags in AWS STS"): the inline Policy is validated like IAM validates
 * policies (MalformedPolicyDocument), managed PolicyArns are resolved to their default versions,
 * and the whole is "packed"; AWS reports how much of the packed budget it used as
 * PackedPolicySize (a percentage) and refuses more than 100% with PackedPolicyTooLarge
 * "Packed policy consumes N% of allotted space".
 *
 * AWS does not document its packed format. Bonsai packs with raw DEFLATE of the minified policy,
 * the ARNs and the tags, against a fixed budget, which gives the same order of magnitude as AWS
 * (a one-statement policy uses a few percent) and fails the same way for oversized input.
 */
import { deflateRawSync } from 'node:zlib';
import { AwsError } from '../../core/errors.ts';
import { parsePolicy, policySize, PolicyQuotas } from '../../iam/policy/index.ts';
import { findPolicy } from '../iam/lookup.ts';
import { defaultDocument } from '../iam/policies.ts';
import type { DocOps } from '../../store/types.ts';

/** Compressed bytes that make 100%. */
export const PACKED_BUDGET_BYTES = 1024;
/** "You can pass up to 10 managed policy ARNs" (AssumeRole / GetFederationToken PolicyArns). */
export const MAX_POLICY_ARNS = 10;

export interface SessionPolicyInput {
  Policy?: string;
  PolicyArns?: Array<{ arn?: string }>;
}

export interface PackedSession {
  /** The documents that scope the session; undefined when none were passed. */
  policies?: string[];
  /** PackedPolicySize to report, undefined when nothing was packed (AWS then omits it). */
  packedPercent?: number;
}

export function packedPolicyTooLarge(percent: number): AwsError {
  return new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space`, { status: 400 });
}

/** The packed size, in percent of the budget, of everything a session carries. */
export function packedPercent(policy: string | undefined, arns: string[], tags: Record<string, string>): number {
  const parts: string[] = [];
  if (policy !== undefined) parts.push(JSON.stringify(JSON.parse(policy)));
  parts.push(...arns);
  for (const [k, v] of Object.entries(tags)) parts.push(`${k}=${v}`);
  if (parts.length === 0) return 0;
  const bytes = deflateRawSync(Buffer.from(parts.join('\n'), 'utf8')).length;
  return Math.ceil((100 * bytes) / PACKED_BUDGET_BYTES);
}

/**
 * Validates and resolves a request's session policies. Managed policies that do not exist are
 * kept out of the session (they grant nothing), but the session still counts as scoped.
 */
export async function packSessionPolicies(ops: DocOps, accountId: string, input: SessionPolicyInput, tags: Record<string, string>): Promise<PackedSession> {
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  if (arns.length > MAX_POLICY_ARNS) {
    throw new AwsError('ValidationError', `1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_POLICY_ARNS}`, {
      status: 400,
    });
  }
  const documents: string[] = [];
  if (input.Policy !== undefined) {
    parsePolicy(input.Policy, 'session');
    documents.push(input.Policy);
  }
  for (const arn of arns) {
    const found = await findPolicy(ops, accountId, arn);
    if (found) documents.push(defaultDocument(found));
  }
  const scoped = input.Policy !== undefined || arns.length > 0;
  const percent = packedPercent(input.Policy, arns, tags);
  const plaintextOver = input.Policy !== undefined && policySize(input.Policy) > PolicyQuotas.sessionPolicy;
  if (percent > 100 || plaintextOver) throw packedPolicyTooLarge(Math.max(percent, 101));
  return { policies: scoped ? documents : undefined, packedPercent: scoped || Object.keys(tags).length > 0 ? percent : undefined };
}
