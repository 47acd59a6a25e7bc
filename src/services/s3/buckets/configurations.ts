/**
 * The configurations kept on the bucket record: tags, versioning, default encryption, CORS,
 * lifecycle, static website, event notifications, and the read-only accelerate / request payment /
 * logging answers. Each Put validates as S3 does and stores what was put; each Get returns it.
 */
import { AwsError } from '../../../core/errors.ts';
import type { RequestContext } from '../../../core/context.ts';
import { malformedXml } from '../../../protocols/rest-xml.ts';
import type {
  CORSRule, DeleteBucketCorsRequest, DeleteBucketEncryptionRequest, DeleteBucketLifecycleRequest, DeleteBucketTaggingRequest,
  DeleteBucketWebsiteRequest, GetBucketAccelerateConfigurationOutput, GetBucketAccelerateConfigurationRequest, GetBucketCorsOutput,
  GetBucketCorsRequest, GetBucketEncryptionOutput, GetBucketEncryptionRequest, GetBucketLifecycleConfigurationOutput,
  GetBucketLifecycleConfigurationRequest, GetBucketLoggingOutput, GetBucketLoggingRequest, GetBucketNotificationConfigurationRequest,
  GetBucketRequestPaymentOutput, GetBucketRequestPaymentRequest, GetBucketTaggingOutput, GetBucketTaggingRequest,
  GetBucketVersioningOutput, GetBucketVersioningRequest, GetBucketWebsiteOutput, GetBucketWebsiteRequest, NotificationConfiguration,
  PutBucketCorsRequest, PutBucketEncryptionRequest, PutBucketLifecycleConfigurationOutput, PutBucketLifecycleConfigurationRequest,
  PutBucketNotificationConfigurationRequest, PutBucketTaggingRequest, PutBucketVersioningRequest, PutBucketWebsiteRequest,
  ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, WebsiteConfiguration,
} from '../../../generated/s3/types.ts';
import { requireBucket, updateBucket, type BucketRecord } from './record.ts';
import { ruleForResponse, validateLifecycleConfiguration } from './lifecycle.ts';
import { validateNotificationConfiguration } from '../web/notifications.ts';

type Empty = Record<string, never>;

function invalidArgument(message: string, fields?: Record<string, unknown>): AwsError {
  return new AwsError('InvalidArgument', message, { status: 400, fields });
}

function invalidRequest(message: string): AwsError {
  return new AwsError('InvalidRequest', message, { status: 400 });
}

/** A Put* request without its XML document. */
function missingBody(): AwsError {
  return new AwsError('MissingRequestBodyError', 'Request Body is empty', { status: 400 });
}

function notConfigured(code: string, message: string, bucket: string): AwsError {
  return new AwsError(code, message, { status: 404, fields: { BucketName: bucket } });
}

/** Reads the bucket (region and expected owner checked), applies `change`, stores the result. */
async function changeBucket(
  ctx: RequestContext,
  input: { Bucket: string; ExpectedBucketOwner?: string },
  change: (bucket: BucketRecord) => BucketRecord,
): Promise<BucketRecord> {
  await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  return updateBucket(ctx, input.Bucket, change);
}

function readBucket(ctx: RequestContext, input: { Bucket: string; ExpectedBucketOwner?: string }): Promise<BucketRecord> {
  return requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
}

/** Removes an optional configuration member from the record. */
function without<K extends keyof BucketRecord>(bucket: BucketRecord, key: K): BucketRecord {
  const next = { ...bucket };
  delete next[key];
  return next;
}

// ---- tags -----------------------------------------------------------------------------------------

export const MAX_BUCKET_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;

function invalidTag(message: string): AwsError {
  return new AwsError('InvalidTag', message, { status: 400 });
}

/** S3's rules for a bucket's tag set (also used for CreateBucketConfiguration.Tags). */
export function validateTagSet(tags: readonly Tag[]): void {
  if (tags.length > MAX_BUCKET_TAGS) invalidTagCount();
  const keys = new Set<string>();
  for (const tag of tags) {
    if (tag.Key === undefined || tag.Value === undefined) throw malformedXml();
    if (tag.Key.length === 0 || [...tag.Key].length > MAX_TAG_KEY_LENGTH) throw invalidTag('The TagKey you have provided is invalid');
    if ([...tag.Value].length > MAX_TAG_VALUE_LENGTH) throw invalidTag('The TagValue you have provided is invalid');
    if (tag.Key.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:');
    if (keys.has(tag.Key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    keys.add(tag.Key);
  }
}

function invalidTagCount(): never {
  throw invalidTag(`Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`);
}

async function putBucketTagging(input: PutBucketTaggingRequest, ctx: RequestContext): Promise<Empty> {
  if (!input.Tagging) throw missingBody();
  const tags = input.Tagging.TagSet;
  if (!tags) throw malformedXml();
  validateTagSet(tags);
  await changeBucket(ctx, input, (bucket) => (tags.length === 0 ? without(bucket, 'tags') : { ...bucket, tags }));
  return {};
}

async function getBucketTagging(input: GetBucketTaggingRequest, ctx: RequestContext): Promise<GetBucketTaggingOutput> {
  const bucket = await readBucket(ctx, input);
  if (!bucket.tags?.length) throw notConfigured('NoSuchTagSet', 'The TagSet does not exist', bucket.name);
  return { TagSet: bucket.tags };
}

async function deleteBucketTagging(input: DeleteBucketTaggingRequest, ctx: RequestContext): Promise<Empty> {
  await changeBucket(ctx, input, (bucket) => without(bucket, 'tags'));
  return {};
}

// ---- versioning -----------------------------------------------------------------------------------

async function putBucketVersioning(input: PutBucketVersioningRequest, ctx: RequestContext): Promise<Empty> {
  const config = input.VersioningConfiguration;
  if (!config) throw missingBody();
  if (config.Status !== undefined && config.Status !== 'Enabled' && config.Status !== 'Suspended') throw malformedXml();
  if (config.MFADelete !== undefined && config.MFADelete !== 'Enabled' && config.MFADelete !== 'Disabled') throw malformedXml();
  // Changing MFA Delete needs the x-amz-mfa header (the root's device serial and a code).
  if (config.MFADelete !== undefined && input.MFA === undefined) throw invalidRequest('Missing required header for this request: x-amz-mfa');
  await changeBucket(ctx, input, (bucket) => {
    if (bucket.objectLockEnabled && config.Status === 'Suspended') {
      throw new AwsError('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.', {
        status: 409,
      });
    }
    return {
      ...bucket,
      ...(config.Status !== undefined ? { versioning: config.Status } : {}),
      ...(config.MFADelete !== undefined ? { mfaDelete: config.MFADelete } : {}),
    };
  });
  return {};
}

/** A bucket never versioned answers an empty VersioningConfiguration. */
async function getBucketVersioning(input: GetBucketVersioningRequest, ctx: RequestContext): Promise<GetBucketVersioningOutput> {
  const bucket = await readBucket(ctx, input);
  return {
    ...(bucket.versioning !== 'Unversioned' ? { Status: bucket.versioning } : {}),
    ...(bucket.mfaDelete !== undefined ? { MFADelete: bucket.mfaDelete } : {}),
  };
}

/** True once versioning was ever enabled (Enabled or Suspended): objects then carry version ids. */
export function bucketIsVersioned(bucket: Pick<BucketRecord, 'versioning'>): boolean {
  return bucket.versioning !== 'Unversioned';
}

// ---- default encryption ---------------------------------------------------------------------------

/** Every bucket encrypts with SSE-S3 unless configured otherwise (since January 2023). */
export const DEFAULT_ENCRYPTION: BucketRecord['encryption'] = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }],
};

const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);

export function validateEncryption(config: ServerSideEncryptionConfiguration): BucketRecord['encryption'] {
  const rules = config.Rules;
  if (!rules || rules.length !== 1) throw malformedXml();
  const rule = rules[0]!;
  const byDefault = rule.ApplyServerSideEncryptionByDefault;
  if (!byDefault || !SSE_ALGORITHMS.has(byDefault.SSEAlgorithm)) throw malformedXml();
  if (byDefault.KMSMasterKeyID !== undefined && byDefault.SSEAlgorithm === 'AES256') {
    throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', {
      ArgumentName: 'ApplyServerSideEncryptionByDefault',
    });
  }
  const stored: ServerSideEncryptionRule = {
    ApplyServerSideEncryptionByDefault: {
      SSEAlgorithm: byDefault.SSEAlgorithm,
      ...(byDefault.KMSMasterKeyID !== undefined ? { KMSMasterKeyID: byDefault.KMSMasterKeyID } : {}),
    },
    BucketKeyEnabled: rule.BucketKeyEnabled ?? false,
    ...(rule.BlockedEncryptionTypes !== undefined ? { BlockedEncryptionTypes: rule.BlockedEncryptionTypes } : {}),
  };
  return { Rules: [stored as Record<string, unknown>] };
}

async function putBucketEncryption(input: PutBucketEncryptionRequest, ctx: RequestContext): Promise<Empty> {
  if (!input.ServerSideEncryptionConfiguration) throw missingBody();
  const encryption = validateEncryption(input.ServerSideEncryptionConfiguration);
  await changeBucket(ctx, input, (bucket) => ({ ...bucket, encryption }));
  return {};
}

async function getBucketEncryption(input: GetBucketEncryptionRequest, ctx: RequestContext): Promise<GetBucketEncryptionOutput> {
  const bucket = await readBucket(ctx, input);
  return { ServerSideEncryptionConfiguration: bucket.encryption as unknown as ServerSideEncryptionConfiguration };
}

/** Deleting the configuration restores the SSE-S3 default; the bucket is never unencrypted. */
async function deleteBucketEncryption(input: DeleteBucketEncryptionRequest, ctx: RequestContext): Promise<Empty> {
  await changeBucket(ctx, input, (bucket) => ({ ...bucket, encryption: DEFAULT_ENCRYPTION }));
  return {};
}

// ---- CORS -----------------------------------------------------------------------------------------

export const MAX_CORS_RULES = 100;
const CORS_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);

export function validateCorsRules(rules: readonly CORSRule[] | undefined): void {
  if (!rules || rules.length === 0 || rules.length > MAX_CORS_RULES) throw malformedXml();
  for (const rule of rules) {
    if (!rule.AllowedMethods?.length || !rule.AllowedOrigins?.length) throw malformedXml();
    if (rule.ID !== undefined && rule.ID.length > 255) throw invalidArgument('ID length should not exceed allowed limit of 255');
    for (const method of rule.AllowedMethods) {
      if (!CORS_METHODS.has(method)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
    }
    for (const origin of rule.AllowedOrigins) {
      if (wildcards(origin) > 1) throw invalidRequest(`AllowedOrigin "${origin}" can not have more than one wildcard.`);
    }
    for (const header of rule.AllowedHeaders ?? []) {
      if (wildcards(header) > 1) throw invalidRequest(`AllowedHeader "${header}" can not have more than one wildcard.`);
    }
  }
}

function wildcards(text: string): number {
  return text.split('*').length - 1;
}

async function putBucketCors(input: PutBucketCorsRequest, ctx: RequestContext): Promise<Empty> {
  if (!input.CORSConfiguration) throw missingBody();
  const rules = input.CORSConfiguration.CORSRules;
  validateCorsRules(rules);
  await changeBucket(ctx, input, (bucket) => ({ ...bucket, cors: { CORSRules: rules } }));
  return {};
}

async function getBucketCors(input: GetBucketCorsRequest, ctx: RequestContext): Promise<GetBucketCorsOutput> {
  const bucket = await readBucket(ctx, input);
  if (!bucket.cors) throw notConfigured('NoSuchCORSConfiguration', 'The CORS configuration does not exist', bucket.name);
  return bucket.cors as GetBucketCorsOutput;
}

async function deleteBucketCors(input: DeleteBucketCorsRequest, ctx: RequestContext): Promise<Empty> {
  await changeBucket(ctx, input, (bucket) => without(bucket, 'cors'));
  return {};
}

// ---- lifecycle ------------------------------------------------------------------------------------

async function putBucketLifecycleConfiguration(
  input: PutBucketLifecycleConfigurationRequest,
  ctx: RequestContext,
): Promise<PutBucketLifecycleConfigurationOutput> {
  if (!input.LifecycleConfiguration) throw missingBody();
  const lifecycle = validateLifecycleConfiguration(input.LifecycleConfiguration, input.TransitionDefaultMinimumObjectSize);
  await changeBucket(ctx, input, (bucket) => ({ ...bucket, lifecycle }));
  return { TransitionDefaultMinimumObjectSize: lifecycle.TransitionDefaultMinimumObjectSize };
}

async function getBucketLifecycleConfiguration(
  input: GetBucketLifecycleConfigurationRequest,
  ctx: RequestContext,
): Promise<GetBucketLifecycleConfigurationOutput> {
  const bucket = await readBucket(ctx, input);
  if (!bucket.lifecycle) throw notConfigured('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', bucket.name);
  return {
    Rules: bucket.lifecycle.Rules.map(ruleForResponse),
    TransitionDefaultMinimumObjectSize: bucket.lifecycle.TransitionDefaultMinimumObjectSize,
  };
}

async function deleteBucketLifecycle(input: DeleteBucketLifecycleRequest, ctx: RequestContext): Promise<Empty> {
  await changeBucket(ctx, input, (bucket) => without(bucket, 'lifecycle'));
  return {};
}

// ---- website --------------------------------------------------------------------------------------

export function validateWebsite(config: WebsiteConfiguration): void {
  if (config.RedirectAllRequestsTo) {
    if (config.IndexDocument || config.ErrorDocument || config.RoutingRules) throw malformedXml();
    if (!config.RedirectAllRequestsTo.HostName) throw malformedXml();
    return;
  }
  const suffix = config.IndexDocument?.Suffix;
  if (suffix === undefined) throw invalidArgument('A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty');
  if (suffix === '' || suffix.includes('/')) throw invalidArgument('The IndexDocument Suffix is not well formed', { ArgumentName: 'IndexDocument', ArgumentValue: suffix });
  if (config.ErrorDocument && !config.ErrorDocument.Key) throw malformedXml();
  for (const rule of config.RoutingRules ?? []) {
    if (!rule.Redirect) throw malformedXml();
  }
}

async function putBucketWebsite(input: PutBucketWebsiteRequest, ctx: RequestContext): Promise<Empty> {
  if (!input.WebsiteConfiguration) throw missingBody();
  const website = input.WebsiteConfiguration;
  validateWebsite(website);
  await changeBucket(ctx, input, (bucket) => ({ ...bucket, website: website as Record<string, unknown> }));
  return {};
}

async function getBucketWebsite(input: GetBucketWebsiteRequest, ctx: RequestContext): Promise<GetBucketWebsiteOutput> {
  const bucket = await readBucket(ctx, input);
  if (!bucket.website) throw notConfigured('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', bucket.name);
  return bucket.website as GetBucketWebsiteOutput;
}

async function deleteBucketWebsite(input: DeleteBucketWebsiteRequest, ctx: RequestContext): Promise<Empty> {
  await changeBucket(ctx, input, (bucket) => without(bucket, 'website'));
  return {};
}

// ---- notifications --------------------------------------------------------------------------------

async function putBucketNotificationConfiguration(input: PutBucketNotificationConfigurationRequest, ctx: RequestContext): Promise<Empty> {
  const config = input.NotificationConfiguration;
  if (!config) throw missingBody();
  validateNotificationConfiguration(config);
  const empty = !config.TopicConfigurations?.length && !config.QueueConfigurations?.length && !config.LambdaFunctionConfigurations?.length && !config.EventBridgeConfiguration;
  await changeBucket(ctx, input, (bucket) => (empty ? without(bucket, 'notification') : { ...bucket, notification: config as Record<string, unknown> }));
  return {};
}

/** An empty NotificationConfiguration when nothing is configured. */
async function getBucketNotificationConfiguration(input: GetBucketNotificationConfigurationRequest, ctx: RequestContext): Promise<NotificationConfiguration> {
  const bucket = await readBucket(ctx, input);
  return (bucket.notification ?? {}) as NotificationConfiguration;
}

// ---- read-only answers ----------------------------------------------------------------------------

/** Transfer Acceleration is never configured: an empty AccelerateConfiguration. */
async function getBucketAccelerateConfiguration(input: GetBucketAccelerateConfigurationRequest, ctx: RequestContext): Promise<GetBucketAccelerateConfigurationOutput> {
  await readBucket(ctx, input);
  return {};
}

async function getBucketRequestPayment(input: GetBucketRequestPaymentRequest, ctx: RequestContext): Promise<GetBucketRequestPaymentOutput> {
  await readBucket(ctx, input);
  return { Payer: 'BucketOwner' };
}

/** Server access logging is never enabled: an empty BucketLoggingStatus. */
async function getBucketLogging(input: GetBucketLoggingRequest, ctx: RequestContext): Promise<GetBucketLoggingOutput> {
  await readBucket(ctx, input);
  return {};
}

export const configurationHandlers = {
  PutBucketTagging: putBucketTagging,
  GetBucketTagging: getBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  PutBucketVersioning: putBucketVersioning,
  GetBucketVersioning: getBucketVersioning,
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  PutBucketCors: putBucketCors,
  GetBucketCors: getBucketCors,
  DeleteBucketCors: deleteBucketCors,
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  PutBucketWebsite: putBucketWebsite,
  GetBucketWebsite: getBucketWebsite,
  DeleteBucketWebsite: deleteBucketWebsite,
  PutBucketNotificationConfiguration: putBucketNotificationConfiguration,
  GetBucketNotificationConfiguration: getBucketNotificationConfiguration,
  GetBucketAccelerateConfiguration: getBucketAccelerateConfiguration,
  GetBucketRequestPayment: getBucketRequestPayment,
  GetBucketLogging: getBucketLogging,
};
