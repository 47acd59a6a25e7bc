/**
 * Where a bucket lives, and what S3 says to a request that reaches the wrong region.
 *
 * Bonsai has one endpoint for every region, so it plays the regional endpoint of the region the
 * request was signed for (s3.<region>.amazonaws.com, path style or virtual-hosted). S3 answers
 * such an endpoint, for a bucket that lives elsewhere:
 *   - 301 PermanentRedirect with <Endpoint> and <Bucket>, and the x-amz-bucket-region header
 *     (HeadBucket: the bare 301 with the header, as HEAD responses carry no body);
 *   - 400 IllegalLocationConstraintException when either region is an opt-in region ("The
 *     us-west-2 location constraint is incompatible for the region specific endpoint this request
 *     was sent to.", "unspecified" for us-east-1 buckets);
 *   - 400 AuthorizationHeaderMalformed ("the region 'us-east-1' is wrong; expecting
 *     'ap-southeast-2'", <Region>) when the request went to the legacy global host
 *     (s3.amazonaws.com, bucket.s3.amazonaws.com), which DNS routes to the bucket's own region,
 *     where the signature's region is then wrong.
 * SDK v3 (followRegionRedirects) follows 301s, and 400s on HeadBucket or with
 * IllegalLocationConstraintException, reading x-amz-bucket-region; botocore follows all three.
 */
import { AwsError } from '../../../core/errors.ts';
import type { RequestContext } from '../../../core/context.ts';
import { isKnownRegion, regionInfo } from '../../../core/regions.ts';
import { s3PathStyle } from '../../../routing/identify-service.ts';
import type { BucketRecord } from './record.ts';

/** Operations S3 answers for a bucket in any region. */
const REGION_AGNOSTIC_OPERATIONS: ReadonlySet<string> = new Set(['GetBucketLocation', 'ListBuckets', 'CreateBucket']);

/** The EU alias S3 still accepts (and reports back) for eu-west-1. */
export const EU_ALIAS = 'EU';

/** The region a LocationConstraint names, or undefined when S3 does not know it. */
export function regionOfLocationConstraint(constraint: string): string | undefined {
  if (constraint === EU_ALIAS) return 'eu-west-1';
  return isKnownRegion(constraint) ? constraint : undefined;
}

/** How the bucket's location reads in S3's messages: its constraint, "unspecified" for us-east-1. */
export function locationConstraintWording(bucket: Pick<BucketRecord, 'region' | 'locationConstraint'>): string {
  return bucket.locationConstraint ?? (bucket.region === 'us-east-1' ? 'unspecified' : bucket.region);
}

/** The message S3 gives when a location and the endpoint's region disagree. */
export function incompatibleLocationMessage(constraintWording: string): string {
  return `The ${constraintWording} location constraint is incompatible for the region specific endpoint this request was sent to.`;
}

/**
 * Throws what S3 answers when `bucket` lives in another region than the one the request is for.
 * Called by requireBucket and by the access part's authorization, so a wrong region fails
 * before AccessDenied, as on S3.
 */
export function checkBucketRegion(ctx: RequestContext, bucket: BucketRecord, operation: string): void {
  if (bucket.region === endpointRegion(ctx, bucket) || REGION_AGNOSTIC_OPERATIONS.has(operation)) return;
  const headers = { 'x-amz-bucket-region': bucket.region };
  if (isOptInRegion(bucket.region) || isOptInRegion(ctx.signedRegion)) {
    throw new AwsError('IllegalLocationConstraintException', incompatibleLocationMessage(locationConstraintWording(bucket)), {
      status: 400,
      headers,
    });
  }
  if (ctx.principal.type !== 'anonymous' && isGlobalS3Host(ctx.request.headers.host)) {
    throw new AwsError(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${ctx.signedRegion}' is wrong; expecting '${bucket.region}'`,
      { status: 400, fields: { Region: bucket.region }, headers },
    );
  }
  throw new AwsError(
    'PermanentRedirect',
    'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
    { status: 301, fields: { Endpoint: endpointFor(bucket), Bucket: bucket.name }, headers },
  );
}

/**
 * The region of the endpoint the request reached. A signed request names it in its credential
 * scope. An anonymous one (a public object opened with curl or a browser) only through its Host:
 * s3.<region>. and s3-<region>. are regional endpoints (the console's "Object URL" is
 * https://<bucket>.s3.<region>.amazonaws.com/<key>); a virtual-hosted name without a region
 * (<bucket>.s3.amazonaws.com, <bucket>.localhost) is resolved by DNS to the bucket's own region;
 * path style on a bare address is the default endpoint, us-east-1.
 */
function endpointRegion(ctx: RequestContext, bucket: BucketRecord): string {
  if (ctx.principal.type !== 'anonymous') return ctx.signedRegion;
  const host = (ctx.request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const named = /(?:^|\.)s3[.-]([a-z0-9-]+)\./.exec(host)?.[1];
  if (named && isKnownRegion(named)) return named;
  const virtualHosted = s3PathStyle(ctx.request) !== ctx.request.path;
  return virtualHosted ? bucket.region : ctx.signedRegion;
}

function isOptInRegion(region: string): boolean {
  return regionInfo(region)?.optIn === true;
}

/** s3.amazonaws.com or <bucket>.s3.amazonaws.com: the legacy global endpoint. */
function isGlobalS3Host(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return name === 's3.amazonaws.com' || name.endsWith('.s3.amazonaws.com');
}

/**
 * The endpoint S3 names in a PermanentRedirect: virtual-hosted for names that can be a DNS label
 * (no dots), the regional path-style endpoint otherwise; us-east-1 is the global endpoint.
 */
function endpointFor(bucket: BucketRecord): string {
  const regional = bucket.region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${bucket.region}.amazonaws.com`;
  return bucket.name.includes('.') ? regional : `${bucket.name}.${regional}`;
}
