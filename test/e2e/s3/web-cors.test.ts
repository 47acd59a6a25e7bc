// CORS end to end: OPTIONS preflights (path- and virtual-hosted style) judged by the bucket's
// CORS rules with S3's exact statuses, headers and error bodies, and the Access-Control-*
// headers S3 adds to actual requests (successes and errors) whose Origin a rule allows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import type { TestBonsai } from '../../helpers/bonsai.ts';
import { s3Client, startS3Bonsai } from '../../helpers/s3.ts';
import { plainRequest } from './web-http.ts';

const BUCKET = 'w-cors-bucket';
const BARE = 'w-cors-bare';
let bonsai: TestBonsai;
let s3: S3.S3Client;

before(async () => {
  ({ bonsai, client: s3 } = await startS3Bonsai(BUCKET, BARE));
  await s3.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', Body: 'hello' }));
  await s3.send(
    new S3.PutBucketCorsCommand({
      Bucket: BUCKET,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ['https://app.example.com', 'http://*.example.org'],
            AllowedMethods: ['GET', 'PUT'],
            AllowedHeaders: ['Content-Type', 'x-amz-*'],
            ExposeHeaders: ['ETag', 'x-amz-request-id'],
            MaxAgeSeconds: 3000,
          },
          { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'] },
        ],
      },
    }),
  );
});
after(() => bonsai.stop());

function preflight(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${bonsai.endpoint}${path}`, { method: 'OPTIONS', headers });
}

/** The Access-Control-* and Vary headers of a response, names lower-cased. */
function corsHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name.startsWith('access-control-') || name === 'vary') out[name] = value;
  });
  return out;
}

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

function errorXml(code: string, message: string, extra = ''): RegExp {
  const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Error><Code>${code}</Code><Message>${escaped(message)}</Message>${escaped(extra)}<RequestId>[^<]+</RequestId><HostId>[^<]+</HostId></Error>$`,
  );
}

test('a preflight a rule allows answers 200 with the rule\'s headers and no body', async () => {
  const res = await preflight(`/${BUCKET}/doc.txt`, {
    Origin: 'https://app.example.com',
    'Access-Control-Request-Method': 'PUT',
    'Access-Control-Request-Headers': 'content-type, X-Amz-Date',
  });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  assert.deepEqual(corsHeaders(res), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-allow-headers': 'content-type, x-amz-date',
    'access-control-expose-headers': 'ETag, x-amz-request-id',
    'access-control-max-age': '3000',
    vary: VARY,
  });
  assert.match(res.headers.get('x-amz-request-id') ?? '', /^[0-9A-F]{16}$/);
});

test('an AllowedOrigin wildcard matches, and a "*" origin answers "*" without credentials', async () => {
  const wild = await preflight(`/${BUCKET}`, { Origin: 'http://shop.example.org', 'Access-Control-Request-Method': 'GET' });
  assert.equal(wild.status, 200);
  assert.equal(wild.headers.get('access-control-allow-origin'), 'http://shop.example.org');
  const any = await preflight(`/${BUCKET}/doc.txt`, { Origin: 'https://elsewhere.test', 'Access-Control-Request-Method': 'HEAD' });
  assert.equal(any.status, 200);
  assert.deepEqual(corsHeaders(any), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'HEAD', vary: VARY });
});

test('a preflight on the virtual-hosted address judges the same rules', async () => {
  const port = new URL(bonsai.endpoint).port;
  const res = await plainRequest(bonsai.endpoint, 'OPTIONS', '/doc.txt', {
    Host: `${BUCKET}.s3.localhost:${port}`,
    Origin: 'https://app.example.com',
    'Access-Control-Request-Method': 'GET',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
  const bucketLevel = await plainRequest(bonsai.endpoint, 'OPTIONS', '/', {
    Host: `${BARE}.s3.us-east-1.amazonaws.com`,
    Origin: 'https://app.example.com',
    'Access-Control-Request-Method': 'GET',
  });
  assert.equal(bucketLevel.status, 403);
  assert.match(bucketLevel.body.toString(), /<Message>CORSResponse: CORS is not enabled for this bucket\.<\/Message><Method>GET<\/Method><ResourceType>BUCKET<\/ResourceType>/);
});

test('preflights nothing allows: 403 AccessForbidden with the method and resource type', async () => {
  const notAllowed =
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";
  const cases: Array<[string, Record<string, string>, string, string]> = [
    [`/${BUCKET}/doc.txt`, { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'GET' }, notAllowed, '<Method>GET</Method><ResourceType>OBJECT</ResourceType>'],
    [`/${BUCKET}`, { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'DELETE' }, notAllowed, '<Method>DELETE</Method><ResourceType>BUCKET</ResourceType>'],
    [
      `/${BUCKET}/doc.txt`,
      { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-custom' },
      notAllowed,
      '<Method>PUT</Method><ResourceType>OBJECT</ResourceType>',
    ],
    // Origins compare case-sensitively.
    [`/${BUCKET}/doc.txt`, { Origin: 'https://APP.example.com', 'Access-Control-Request-Method': 'GET' }, notAllowed, '<Method>GET</Method><ResourceType>OBJECT</ResourceType>'],
    [`/${BARE}/x`, { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' }, 'CORSResponse: CORS is not enabled for this bucket.', '<Method>GET</Method><ResourceType>OBJECT</ResourceType>'],
    ['/w-cors-missing', { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' }, 'CORSResponse: Bucket not found', '<Method>GET</Method><ResourceType>BUCKET</ResourceType>'],
  ];
  for (const [path, headers, message, extra] of cases) {
    const res = await preflight(path, headers);
    assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.match(await res.text(), errorXml('AccessForbidden', message, extra));
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  }
});

test('preflights without Origin or a valid Access-Control-Request-Method: 400 BadRequest', async () => {
  const noOrigin = await preflight(`/${BUCKET}/doc.txt`, { 'Access-Control-Request-Method': 'GET' });
  assert.equal(noOrigin.status, 400);
  assert.match(await noOrigin.text(), errorXml('BadRequest', 'Insufficient information. Origin request header needed.'));
  const noMethod = await preflight(`/${BUCKET}/doc.txt`, { Origin: 'https://app.example.com' });
  assert.equal(noMethod.status, 400);
  assert.match(await noMethod.text(), errorXml('BadRequest', 'Invalid Access-Control-Request-Method: null'));
  const badMethod = await preflight(`/${BUCKET}/doc.txt`, { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PATCH' });
  assert.equal(badMethod.status, 400);
  assert.match(await badMethod.text(), errorXml('BadRequest', 'Invalid Access-Control-Request-Method: PATCH'));
});

test('actual requests whose Origin a rule allows get the headers, successes and errors alike', async () => {
  const url = `${bonsai.endpoint}/${BUCKET}/doc.txt`;
  // Anonymous GET of a private object: 403, still with CORS headers (the browser can read the error).
  const denied = await fetch(url, { headers: { Origin: 'https://app.example.com' } });
  assert.equal(denied.status, 403);
  assert.deepEqual(corsHeaders(denied), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-expose-headers': 'ETag, x-amz-request-id',
    'access-control-max-age': '3000',
    vary: VARY,
  });
  const other = await fetch(url, { headers: { Origin: 'https://evil.test' } });
  assert.equal(other.status, 403);
  assert.deepEqual(corsHeaders(other), {});
  const noOrigin = await fetch(url);
  assert.deepEqual(corsHeaders(noOrigin), {});
});

test('a signed SDK request with an Origin header gets the headers on its success', async () => {
  const client = s3Client(bonsai.endpoint);
  let seen: Record<string, string> = {};
  client.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers.origin = 'https://app.example.com';
      const result = await next(args);
      seen = (result.response as { headers: Record<string, string> }).headers;
      return result;
    },
    { step: 'finalizeRequest' },
  );
  const out = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }));
  assert.equal(await out.Body!.transformToString(), 'hello');
  assert.equal(seen['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(seen['access-control-expose-headers'], 'ETag, x-amz-request-id');
});
