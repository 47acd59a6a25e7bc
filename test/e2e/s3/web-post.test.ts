// Browser POST uploads end to end, the form built as a browser app's server would build it: a
// base64 policy signed with the SigV4 signing key (node:crypto), posted as multipart/form-data
// with fetch. Success answers (204, 200, 201 PostResponse, 303 redirect), what is stored, and
// S3's errors for policies, signatures, sizes, missing fields and authorization.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import * as S3 from '@aws-sdk/client-s3';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { createUserKeys, ROOT_KEYS as ROOT, s3Client, startS3Bonsai } from '../../helpers/s3.ts';
import { plainRequest } from './web-http.ts';

const BUCKET = 'w-post-bucket';
let bonsai: TestBonsai;
let s3: S3.S3Client;
let stranger: { accessKeyId: string; secretAccessKey: string };

before(async () => {
  ({ bonsai, client: s3 } = await startS3Bonsai(BUCKET));
  await s3.send(
    new S3.PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example.com'], AllowedMethods: ['POST'] }] } }),
  );
  stranger = await createUserKeys(bonsai.endpoint, 'stranger');
});
after(() => bonsai.stop());

const DATE = new Date().toISOString().slice(0, 10).replace(/-/g, '');
const AMZ_DATE = `${DATE}T000000Z`;
const IN_AN_HOUR = new Date(Date.now() + 3_600_000).toISOString();

interface FormOptions {
  /** Fields before the file, besides the signature fields. */
  fields: Record<string, string>;
  conditions?: unknown[];
  expiration?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Replaces the signature. */
  signature?: string;
  file?: { content: string; name: string };
}

function signingKey(secret: string, date: string, region: string): Buffer {
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of [date, region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return key as Buffer;
}

/** The form a server hands a browser: fields, policy covering every field, signature. */
function signedForm(options: FormOptions): { form: FormData; policy: string; signature: string } {
  const credentials = options.credentials ?? ROOT;
  const credential = `${credentials.accessKeyId}/${DATE}/us-east-1/s3/aws4_request`;
  const signatureFields = { 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': credential, 'x-amz-date': AMZ_DATE };
  const conditions = options.conditions ?? [
    { bucket: BUCKET },
    ...Object.entries({ ...options.fields, ...signatureFields }).map(([name, value]) => ({ [name]: value })),
  ];
  const policy = Buffer.from(JSON.stringify({ expiration: options.expiration ?? IN_AN_HOUR, conditions })).toString('base64');
  const signature = options.signature ?? createHmac('sha256', signingKey(credentials.secretAccessKey, DATE, 'us-east-1')).update(policy).digest('hex');
  const form = new FormData();
  for (const [name, value] of Object.entries(options.fields)) form.append(name, value);
  for (const [name, value] of Object.entries(signatureFields)) form.append(name, value);
  form.append('policy', policy);
  form.append('x-amz-signature', signature);
  const file = options.file ?? { content: 'file content', name: 'upload.txt' };
  form.append('file', new Blob([file.content], { type: 'text/plain' }), file.name);
  return { form, policy, signature };
}

function post(form: FormData, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${bonsai.endpoint}/${BUCKET}`, { method: 'POST', body: form, headers, redirect: 'manual' });
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** S3's <Error> document: code, message, extra fields in order, then the request and host ids. */
function assertError(body: string, code: string, message: string, extra = ''): void {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const prefix = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escape(message)}</Message>${extra}<RequestId>`;
  assert.ok(body.startsWith(prefix), `expected ${prefix}\n got ${body}`);
  assert.match(body.slice(prefix.length), /^[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
}

async function assertAbsent(key: string): Promise<void> {
  const err = await failure(s3.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: key })));
  assert.deepEqual([err.name, err.status], ['NotFound', 404]);
}

test('a signed form stores the file with its fields; 204 with ETag and Location', async () => {
  const { form } = signedForm({ fields: { key: 'uploads/a.txt', 'Content-Type': 'text/plain', 'x-amz-meta-color': 'green', 'Cache-Control': 'max-age=60' } });
  const res = await post(form);
  assert.equal(res.status, 204);
  assert.equal(await res.text(), '');
  assert.equal(res.headers.get('etag'), `"${md5('file content')}"`);
  assert.equal(res.headers.get('location'), `${bonsai.endpoint}/${BUCKET}/uploads%2Fa.txt`);
  assert.equal(res.headers.get('x-amz-server-side-encryption'), 'AES256');
  const got = await s3.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/a.txt' }));
  assert.equal(await got.Body!.transformToString(), 'file content');
  assert.equal(got.ContentType, 'text/plain');
  assert.equal(got.CacheControl, 'max-age=60');
  assert.deepEqual(got.Metadata, { color: 'green' });
});

test('success_action_status 201 answers the PostResponse document; 200 an empty body', async () => {
  // Conditions see the key after ${filename} is replaced, so a server allows a prefix.
  const conditions = [
    { bucket: BUCKET },
    ['starts-with', '$key', 'doc/'],
    { success_action_status: '201' },
    ['starts-with', '$x-amz-credential', ''],
    ['starts-with', '$x-amz-algorithm', ''],
    ['starts-with', '$x-amz-date', ''],
  ];
  const { form } = signedForm({ fields: { key: 'doc/${filename}', success_action_status: '201' }, conditions, file: { content: 'abc', name: 'report.pdf' } });
  const res = await post(form);
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('content-type'), 'application/xml');
  const location = `${bonsai.endpoint}/${BUCKET}/doc%2Freport.pdf`;
  assert.equal(
    await res.text(),
    `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${location}</Location><Bucket>${BUCKET}</Bucket><Key>doc/report.pdf</Key><ETag>&quot;${md5('abc')}&quot;</ETag></PostResponse>`,
  );
  const ok = await post(signedForm({ fields: { key: 'doc/two', success_action_status: '200' } }).form);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), '');
});

test('success_action_redirect answers 303 to it with bucket, key and etag', async () => {
  const { form } = signedForm({ fields: { key: 'r/x y', success_action_redirect: 'https://app.example.com/done?from=form' } });
  const res = await post(form);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `https://app.example.com/done?from=form&bucket=${BUCKET}&key=r%2Fx%20y&etag=%22${md5('file content')}%22`);
});

test('a virtual-hosted form names the bucket in the Location host; CORS headers reach the answer', async () => {
  const port = new URL(bonsai.endpoint).port;
  const { form } = signedForm({ fields: { key: 'vh.txt' } });
  const request = new Request('http://unused/', { method: 'POST', body: form });
  const body = Buffer.from(await request.arrayBuffer());
  const host = `${BUCKET}.s3.localhost:${port}`;
  const res = await plainRequest(bonsai.endpoint, 'POST', '/', {
    Host: host,
    'Content-Type': request.headers.get('content-type')!,
    'Content-Length': String(body.length),
    Origin: 'https://app.example.com',
  }, body);
  assert.equal(res.status, 204);
  assert.equal(res.headers.location, `http://${host}/vh.txt`);
  assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(res.headers['access-control-allow-methods'], 'POST');
});

test('a tagging field tags the object', async () => {
  const tagging = '<Tagging><TagSet><Tag><Key>team</Key><Value>web &amp; mobile</Value></Tag></TagSet></Tagging>';
  const res = await post(signedForm({ fields: { key: 'tagged', tagging } }).form);
  assert.equal(res.status, 204);
  const tags = await s3.send(new S3.GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
  assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'web & mobile' }]);
});

test('policy refusals: a failed condition, an expired policy, a field no condition covers', async () => {
  const cases: Array<[FormOptions, string]> = [
    [
      { fields: { key: 'p/wrong' }, conditions: [{ bucket: BUCKET }, ['eq', '$key', 'p/right'], ['starts-with', '$x-amz-credential', ''], ['starts-with', '$x-amz-algorithm', ''], ['starts-with', '$x-amz-date', '']] },
      'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "p/right"]',
    ],
    [
      { fields: { key: 'p/img', 'Content-Type': 'text/html' }, conditions: [{ bucket: BUCKET }, ['starts-with', '$key', 'p/'], ['starts-with', '$Content-Type', 'image/'], ['starts-with', '$x-amz-credential', ''], ['starts-with', '$x-amz-algorithm', ''], ['starts-with', '$x-amz-date', '']] },
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]',
    ],
    [{ fields: { key: 'p/old' }, expiration: '2020-01-01T00:00:00.000Z' }, 'Invalid according to Policy: Policy expired.'],
    [
      { fields: { key: 'p/extra', 'x-amz-meta-extra': '1' }, conditions: [{ bucket: BUCKET }, { key: 'p/extra' }, ['starts-with', '$x-amz-credential', ''], ['starts-with', '$x-amz-algorithm', ''], ['starts-with', '$x-amz-date', '']] },
      'Invalid according to Policy: Extra input fields: x-amz-meta-extra',
    ],
  ];
  for (const [options, message] of cases) {
    const res = await post(signedForm(options).form);
    assert.equal(res.status, 403, message);
    assertError(await res.text(), 'AccessDenied', message);
    await assertAbsent(options.fields.key!);
  }
});

test('content-length-range: a file too large or too small is refused and not stored', async () => {
  const range = (key: string) => [{ bucket: BUCKET }, { key }, ['content-length-range', 5, 10], ['starts-with', '$x-amz-credential', ''], ['starts-with', '$x-amz-algorithm', ''], ['starts-with', '$x-amz-date', '']];
  const large = await post(signedForm({ fields: { key: 'big' }, conditions: range('big'), file: { content: 'x'.repeat(11), name: 'f' } }).form);
  assert.equal(large.status, 400);
  assertError(await large.text(), 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', '<ProposedSize>11</ProposedSize><MaxSizeAllowed>10</MaxSizeAllowed>');
  await assertAbsent('big');
  const small = await post(signedForm({ fields: { key: 'small' }, conditions: range('small'), file: { content: '1234', name: 'f' } }).form);
  assert.equal(small.status, 400);
  assertError(await small.text(), 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', '<ProposedSize>4</ProposedSize><MinSizeAllowed>5</MinSizeAllowed>');
  await assertAbsent('small');
  const fits = await post(signedForm({ fields: { key: 'fits' }, conditions: range('fits'), file: { content: '12345', name: 'f' } }).form);
  assert.equal(fits.status, 204);
});

test('a wrong signature: 403 SignatureDoesNotMatch naming the policy it signed', async () => {
  const wrong = 'a'.repeat(64);
  const { form, policy } = signedForm({ fields: { key: 'sig' }, signature: wrong });
  const res = await post(form);
  assert.equal(res.status, 403);
  const bytes = Buffer.from(policy).toString('hex').replace(/(..)(?=.)/g, '$1 ');
  assertError(
    await res.text(),
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    `<AWSAccessKeyId>${ROOT.accessKeyId}</AWSAccessKeyId><StringToSign>${policy}</StringToSign><SignatureProvided>${wrong}</SignatureProvided><StringToSignBytes>${bytes}</StringToSignBytes>`,
  );
});

test('malformed forms: no key, no file, a policy without its signature fields, not multipart', async () => {
  const noKey = new FormData();
  noKey.append('file', new Blob(['x']), 'x.txt');
  const a = await post(noKey);
  assert.equal(a.status, 400);
  assertError(await a.text(), 'InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", '<ArgumentName>key</ArgumentName><ArgumentValue></ArgumentValue>');

  const noFile = new FormData();
  noFile.append('key', 'k');
  const b = await post(noFile);
  assert.equal(b.status, 400);
  assertError(await b.text(), 'InvalidArgument', 'POST requires exactly one file upload per request.', '<ArgumentName>file</ArgumentName><ArgumentValue>0</ArgumentValue>');

  const noSignature = new FormData();
  noSignature.append('key', 'k');
  noSignature.append('policy', 'e30=');
  noSignature.append('x-amz-credential', `${ROOT.accessKeyId}/${DATE}/us-east-1/s3/aws4_request`);
  noSignature.append('file', new Blob(['x']), 'x.txt');
  const c = await post(noSignature);
  assert.equal(c.status, 400);
  assertError(await c.text(), 'InvalidArgument', "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.", '<ArgumentName>X-Amz-Signature</ArgumentName><ArgumentValue></ArgumentValue>');

  const d = await fetch(`${bonsai.endpoint}/${BUCKET}`, { method: 'POST', body: 'key=k', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(d.status, 412);
  assertError(await d.text(), 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', '<Condition>Bucket POST must be of the enclosure-type multipart/form-data</Condition>');
});

test('authorization: anonymous forms and users without s3:PutObject are refused', async () => {
  const anonymous = new FormData();
  anonymous.append('key', 'anon');
  anonymous.append('file', new Blob(['x']), 'x.txt');
  const a = await post(anonymous);
  assert.equal(a.status, 403);
  assertError(await a.text(), 'AccessDenied', 'Access Denied');
  const b = await post(signedForm({ fields: { key: 'by-stranger' }, credentials: stranger }).form);
  assert.equal(b.status, 403);
  assertError(
    await b.text(),
    'AccessDenied',
    `User: arn:aws:iam::${TEST_ACCOUNT.accountId}:user/stranger is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${BUCKET}/by-stranger" because no identity-based policy allows the s3:PutObject action`,
  );
  await assertAbsent('anon');
  await assertAbsent('by-stranger');
});

test('the write is authorized as s3:PutObject with s3:authType "POST" for whoever signed the policy', async () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT.accountId}:user/stranger` },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/forms/*`,
        Condition: { StringEquals: { 's3:authType': 'POST' } },
      },
    ],
  };
  await s3.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
  try {
    const res = await post(signedForm({ fields: { key: 'forms/by-stranger' }, credentials: stranger }).form);
    assert.equal(res.status, 204);
    const object = await s3.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'forms/by-stranger' }));
    assert.equal(object.ContentLength, 'file content'.length);
    // The same user's signed PutObject is REST-HEADER, which the condition does not allow.
    const direct = s3Client(bonsai.endpoint, { credentials: stranger });
    const err = await failure(direct.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'forms/direct', Body: 'x' })));
    assert.deepEqual([err.name, err.status], ['AccessDenied', 403]);
  } finally {
    await s3.send(new S3.DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  }
});
