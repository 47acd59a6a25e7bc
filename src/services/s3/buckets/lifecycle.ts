/**
 * Bucket lifecycle configurations: S3's validation of PutBucketLifecycleConfiguration, the form
 * the rules are stored in on the bucket record, and a normalised view of a rule's filter for the
 * lifecycle executor (a later part) to apply.
 *
 * Rules are stored as the API shapes them (LifecycleRule), with Dates as ISO-8601 strings (the
 * store keeps JSON), so GetBucketLifecycleConfiguration returns exactly what was put, plus the ID
 * S3 generates for a rule put without one.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../core/errors.ts';
import { malformedXml } from '../../../protocols/rest-xml.ts';
import type {
  BucketLifecycleConfiguration, LifecycleRule, LifecycleRuleFilter, Tag, TransitionDefaultMinimumObjectSize,
} from '../../../generated/s3/types.ts';

/** A value as it comes back from the store: Dates are ISO-8601 strings. */
export type StoredDates<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<StoredDates<U>>
    : T extends object
      ? { [K in keyof T]: StoredDates<T[K]> }
      : T;

export type StoredLifecycleRule = StoredDates<LifecycleRule> & { ID: string };

export interface StoredLifecycleConfiguration {
  Rules: StoredLifecycleRule[];
  TransitionDefaultMinimumObjectSize: TransitionDefaultMinimumObjectSize;
}

/** What a rule's filter selects, whichever of the API's forms (Prefix, Filter, Filter.And) it used. */
export interface LifecycleSelection {
  prefix: string;
  tags: Tag[];
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
}

export const MAX_LIFECYCLE_RULES = 1000;
export const MAX_RULE_ID_LENGTH = 255;
export const DEFAULT_TRANSITION_MINIMUM_SIZE: TransitionDefaultMinimumObjectSize = 'all_storage_classes_128K';

const RULE_STATUSES = new Set(['Enabled', 'Disabled']);
const TRANSITION_STORAGE_CLASSES = new Set(['GLACIER', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'GLACIER_IR']);
const MINIMUM_SIZE_SETTINGS = new Set(['varies_by_storage_class', 'all_storage_classes_128K']);
/** Infrequent-access classes bill 30 days at least, so S3 refuses an earlier transition to them. */
const THIRTY_DAY_MINIMUM_CLASSES = new Set(['STANDARD_IA', 'ONEZONE_IA']);
const MIDNIGHT_UTC = /T00:00:00(\.0+)?Z$/;

function invalidArgument(message: string): AwsError {
  return new AwsError('InvalidArgument', message, { status: 400 });
}

function invalidRequest(message: string): AwsError {
  return new AwsError('InvalidRequest', message, { status: 400 });
}

/** S3 gives rules put without an ID a generated one: base64 of a random UUID. */
export function generatedRuleId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

/** The rule's selection, normalised. Assumes the rule was validated. */
export function lifecycleSelection(rule: Pick<StoredLifecycleRule, 'Prefix' | 'Filter'>): LifecycleSelection {
  const filter = rule.Filter;
  if (!filter) return { prefix: rule.Prefix ?? '', tags: [] };
  const and = filter.And;
  const source = and ?? filter;
  return {
    prefix: source.Prefix ?? '',
    tags: and ? (and.Tags ?? []) : filter.Tag ? [filter.Tag] : [],
    objectSizeGreaterThan: source.ObjectSizeGreaterThan,
    objectSizeLessThan: source.ObjectSizeLessThan,
  };
}

/**
 * Validates a configuration as S3 does and returns it in stored form, or throws S3's error
 * (MalformedXML for structural faults, InvalidArgument / InvalidRequest with S3's messages).
 */
export function validateLifecycleConfiguration(
  config: BucketLifecycleConfiguration | undefined,
  minimumSize: string | undefined,
  newRuleId: () => string = generatedRuleId,
): StoredLifecycleConfiguration {
  const rules = config?.Rules;
  if (!rules || rules.length === 0 || rules.length > MAX_LIFECYCLE_RULES) throw malformedXml();
  if (minimumSize !== undefined && !MINIMUM_SIZE_SETTINGS.has(minimumSize)) throw malformedXml();
  const stored = rules.map((rule) => validateRule(rule, newRuleId));
  const ids = new Set<string>();
  for (const rule of stored) {
    if (ids.has(rule.ID)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(rule.ID);
  }
  return {
    Rules: stored,
    TransitionDefaultMinimumObjectSize: (minimumSize ?? DEFAULT_TRANSITION_MINIMUM_SIZE) as TransitionDefaultMinimumObjectSize,
  };
}

function validateRule(rule: LifecycleRule, newRuleId: () => string): StoredLifecycleRule {
  if (!RULE_STATUSES.has(rule.Status)) throw malformedXml();
  if (rule.ID !== undefined && rule.ID.length > MAX_RULE_ID_LENGTH) {
    throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_RULE_ID_LENGTH}`);
  }
  validateSelection(rule);
  if (!hasAction(rule)) throw invalidRequest('At least one action needs to be specified in a rule');
  const filterWording = describeFilter(rule);
  validateExpiration(rule);
  validateTransitions(rule, filterWording);
  validateNoncurrentActions(rule);
  validateAbortIncompleteUploads(rule);
  return toStoredRule(rule, rule.ID === undefined || rule.ID === '' ? newRuleId() : rule.ID);
}

/** Exactly one of the rule's Prefix and Filter; inside Filter, one predicate (several go in And). */
function validateSelection(rule: LifecycleRule): void {
  if ((rule.Prefix === undefined) === (rule.Filter === undefined)) throw malformedXml();
  const filter = rule.Filter;
  if (!filter) return;
  if (countPredicates(filter) > 1) throw malformedXml();
  const tags = filter.And ? (filter.And.Tags ?? []) : filter.Tag ? [filter.Tag] : [];
  const keys = new Set<string>();
  for (const tag of tags) {
    if (keys.has(tag.Key)) throw invalidRequest('Duplicate Tag Keys are not allowed.');
    keys.add(tag.Key);
  }
  const sizes = filter.And ?? filter;
  for (const size of [sizes.ObjectSizeGreaterThan, sizes.ObjectSizeLessThan]) {
    if (size !== undefined && size < 0) throw malformedXml();
  }
  if (sizes.ObjectSizeGreaterThan !== undefined && sizes.ObjectSizeLessThan !== undefined && sizes.ObjectSizeLessThan <= sizes.ObjectSizeGreaterThan) {
    throw invalidArgument('ObjectSizeLessThan must be greater than ObjectSizeGreaterThan');
  }
}

function countPredicates(filter: LifecycleRuleFilter): number {
  return [filter.Prefix, filter.Tag, filter.ObjectSizeGreaterThan, filter.ObjectSizeLessThan, filter.And].filter((p) => p !== undefined).length;
}

function hasAction(rule: LifecycleRule): boolean {
  return Boolean(
    rule.Expiration ||
      rule.Transitions?.length ||
      rule.NoncurrentVersionTransitions?.length ||
      rule.NoncurrentVersionExpiration ||
      rule.AbortIncompleteMultipartUpload,
  );
}

/** How S3 names a rule's filter in its messages: "(prefix=logs/)". */
function describeFilter(rule: LifecycleRule): string {
  return `(prefix=${lifecycleSelection(rule as unknown as StoredLifecycleRule).prefix})`;
}

function validateExpiration(rule: LifecycleRule): void {
  const expiration = rule.Expiration;
  if (!expiration) return;
  const given = [expiration.Days, expiration.Date, expiration.ExpiredObjectDeleteMarker].filter((v) => v !== undefined).length;
  if (given !== 1) throw malformedXml();
  if (expiration.Days !== undefined && expiration.Days <= 0) throw invalidArgument("'Days' for Expiration action must be a positive integer");
  if (expiration.Date !== undefined) requireMidnight(expiration.Date);
}

function requireMidnight(date: Date): void {
  if (!MIDNIGHT_UTC.test(date.toISOString())) throw invalidArgument("'Date' must be at midnight GMT");
}

function validateTransitions(rule: LifecycleRule, filterWording: string): void {
  const transitions = rule.Transitions ?? [];
  const classes = new Set<string>();
  for (const transition of transitions) {
    if ((transition.Days === undefined) === (transition.Date === undefined)) throw malformedXml();
    const storageClass = transition.StorageClass;
    if (storageClass === undefined || !TRANSITION_STORAGE_CLASSES.has(storageClass)) throw malformedXml();
    if (classes.has(storageClass)) {
      throw invalidRequest(`'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '${filterWording}'`);
    }
    classes.add(storageClass);
    if (transition.Date !== undefined) requireMidnight(transition.Date);
    if (transition.Days === undefined) continue;
    if (transition.Days < 0) throw invalidArgument("'Days' in Transition action must be nonnegative");
    if (THIRTY_DAY_MINIMUM_CLASSES.has(storageClass) && transition.Days < 30) {
      throw invalidArgument(`'Days' in Transition action must be greater than or equal to 30 for storageClass '${storageClass}'`);
    }
  }
  const expirationDays = rule.Expiration?.Days;
  const latestTransition = Math.max(-1, ...transitions.map((t) => t.Days ?? -1));
  if (expirationDays !== undefined && latestTransition >= 0 && expirationDays <= latestTransition) {
    throw invalidArgument(`'Days' in the Expiration action for filter '${filterWording}' must be greater than 'Days' in the Transition action`);
  }
}

function validateNoncurrentActions(rule: LifecycleRule): void {
  for (const transition of rule.NoncurrentVersionTransitions ?? []) {
    const storageClass = transition.StorageClass;
    if (transition.NoncurrentDays === undefined || storageClass === undefined || !TRANSITION_STORAGE_CLASSES.has(storageClass)) throw malformedXml();
    if (transition.NoncurrentDays < 0) throw invalidArgument("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative");
    if (THIRTY_DAY_MINIMUM_CLASSES.has(storageClass) && transition.NoncurrentDays < 30) {
      throw invalidArgument(`'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass '${storageClass}'`);
    }
  }
  const expiration = rule.NoncurrentVersionExpiration;
  if (expiration) {
    if (expiration.NoncurrentDays === undefined) throw malformedXml();
    if (expiration.NoncurrentDays <= 0) throw invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
  }
}

function validateAbortIncompleteUploads(rule: LifecycleRule): void {
  const abort = rule.AbortIncompleteMultipartUpload;
  if (!abort) return;
  if (abort.DaysAfterInitiation === undefined) throw malformedXml();
  if (abort.DaysAfterInitiation <= 0) {
    throw invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
  }
  if (lifecycleSelection(rule as unknown as StoredLifecycleRule).tags.length > 0) {
    throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
  }
}

/** The rule in stored form: its members in the API's order, Dates as ISO strings. */
function toStoredRule(rule: LifecycleRule, id: string): StoredLifecycleRule {
  return JSON.parse(JSON.stringify({ ...rule, ID: id })) as StoredLifecycleRule;
}

/** A stored rule back in the API's shape (ISO strings become Dates again) for the response. */
export function ruleForResponse(rule: StoredLifecycleRule): LifecycleRule {
  const out = { ...rule } as unknown as LifecycleRule;
  if (rule.Expiration?.Date !== undefined) out.Expiration = { ...rule.Expiration, Date: new Date(rule.Expiration.Date) };
  if (rule.Transitions) {
    out.Transitions = rule.Transitions.map((t) => (t.Date === undefined ? t : { ...t, Date: new Date(t.Date) })) as LifecycleRule['Transitions'];
  }
  return out;
}
