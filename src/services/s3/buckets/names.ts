/**
 * S3's naming rules for general purpose buckets (Amazon S3 User Guide, "General purpose bucket
 * naming rules"). Any break is answered with InvalidBucketName and the name in <BucketName>.
 */
import { AwsError } from '../../../core/errors.ts';

/** Prefixes S3 reserves (punycode, S3 internals, AWS's documentation examples). */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
/** Suffixes S3 reserves for access point aliases, Object Lambda, Multi-Region Access Points, directory and table buckets. */
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

const ALLOWED_CHARACTERS = /^[a-z0-9.-]+$/;
const ALPHANUMERIC = /[a-z0-9]/;
const IPV4_FORM = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why a name breaks the rules, or undefined when it is a valid bucket name. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be between 3 and 63 characters long';
  if (!ALLOWED_CHARACTERS.test(name)) return 'may contain only lowercase letters, numbers, dots and hyphens';
  if (!ALPHANUMERIC.test(name[0]!) || !ALPHANUMERIC.test(name[name.length - 1]!)) return 'must begin and end with a letter or number';
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (IPV4_FORM.test(name)) return 'must not be formatted as an IP address';
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return 'must not start with a reserved prefix';
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return 'must not end with a reserved suffix';
  return undefined;
}

export function invalidBucketName(name: string): AwsError {
  return new AwsError('InvalidBucketName', 'The specified bucket is not valid.', { status: 400, fields: { BucketName: name } });
}

export function validateBucketName(name: string): void {
  if (bucketNameProblem(name) !== undefined) throw invalidBucketName(name);
}
