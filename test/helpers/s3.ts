/**
 * What the S3 end-to-end tests share: an SDK v3 S3 client on a Bonsai as the root user, a Bonsai
 * started with buckets already made, failed calls with the headers and <Error> fields that
 * sdk-errors.ts's failure() does not keep, and an IAM user's keys for access tests.
 */
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from './bonsai.ts';

/** The root user's access key, as SDK v3 clients take credentials. */
export const ROOT_KEYS = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey };

/**
 * An S3 client on `endpoint`: us-east-1, path-style addressing (a loopback address has no bucket
 * subdomains), one attempt (a retried request would hide the error a test asserts) and the root
 * keys. `overrides` win: another region, another user's credentials, checksum settings.
 */
export function s3Client(endpoint: string, overrides: Partial<S3.S3ClientConfig> = {}): S3.S3Client {
  return new S3.S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: ROOT_KEYS, ...overrides });
}

export interface S3TestBonsai {
  bonsai: TestBonsai;
  /** s3Client() on the Bonsai: the root user in us-east-1. */
  client: S3.S3Client;
}

/** Starts an in-process Bonsai and creates `buckets` in it (us-east-1) as the root user. */
export async function startS3Bonsai(...buckets: string[]): Promise<S3TestBonsai> {
  const bonsai = await startTestBonsai();
  const client = s3Client(bonsai.endpoint);
  for (const Bucket of buckets) await client.send(new S3.CreateBucketCommand({ Bucket }));
  return { bonsai, client };
}

export interface S3Failure {
  name: string;
  message: string;
  status?: number;
  /** The HTTP response's headers (x-amz-delete-marker, Last-Modified, …), lower-case names. */
  headers: Record<string, string>;
  /** The exception itself: the SDK keeps the <Error> document's extra elements (UploadId, ArgumentName, …) as its properties. */
  fields: Record<string, unknown>;
}

/** Awaits an SDK v3 call that must fail; returns the error with its response headers and extra fields. */
export async function rawFailure(promise: Promise<unknown>): Promise<S3Failure> {
  try {
    await promise;
  } catch (err) {
    const e = err as Record<string, unknown> & { name: string; message: string; $metadata?: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, headers: e.$response?.headers ?? {}, fields: e };
  }
  assert.fail('expected the call to fail');
}

/** Creates an IAM user (no policies: S3 grants come from bucket policies) and returns an access key of theirs. */
export async function createUserKeys(endpoint: string, userName: string): Promise<typeof ROOT_KEYS> {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: ROOT_KEYS });
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  iam.destroy();
  return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
}
