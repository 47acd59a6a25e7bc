// boto3 as a Python user drives it: upload_file/download_file through s3transfer with an 8 MB
// multipart threshold on a 40 MB file (five parts), presigned GET and PUT URLs fetched with curl,
// and a presigned browser POST sent with curl -F.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestBonsai } from '../../../helpers/bonsai.ts';
import { runPython } from '../../../helpers/clients.ts';
import { md5Hex, runTool, sha256OfFile, succeeded, writeRandomFile, startToolSession, endToolSession, type Workdir } from './tools.ts';

const BUCKET = 'tools-boto3';
const MiB = 1024 * 1024;

let bonsai: TestBonsai;
let dir: Workdir;

before(async () => {
  ({ bonsai, dir } = await startToolSession('bonsai-boto3-'));
});
after(() => endToolSession(bonsai, dir));

/** Runs a Python snippet with `s3` (a boto3 client on Bonsai, SigV4 everywhere) and prints its JSON result. */
async function python<T = any>(body: string, args: Record<string, unknown> = {}): Promise<T> {
  const script = `
import boto3, json, os, sys
from botocore.config import Config
from boto3.s3.transfer import TransferConfig
args = json.loads(os.environ['TEST_ARGS'])
# boto3 presigns with SigV2 unless told otherwise; AWS's documentation asks for SigV4.
s3 = boto3.client('s3', endpoint_url=os.environ['BONSAI_ENDPOINT'], region_name='us-east-1',
                  config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
def main():
${body.split('\n').map((line) => `    ${line}`).join('\n')}
print(json.dumps(main(), default=str))
`;
  const out = await runPython(script, { BONSAI_ENDPOINT: bonsai.endpoint, TEST_ARGS: JSON.stringify(args) });
  return JSON.parse(succeeded(out, 'python')) as T;
}

/** The multipart ETag S3 gives: MD5 of the parts' MD5s, "-<parts>". */
function multipartEtag(content: Buffer, partSize: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < content.length; offset += partSize) digests.push(createHash('md5').update(content.subarray(offset, offset + partSize)).digest());
  return `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}"`;
}

test('upload_file/download_file with an 8 MB multipart threshold: five parts, equal bytes', async () => {
  const size = 40 * 1000 * 1000;
  const sha = await writeRandomFile(dir.path('forty.bin'), size);
  const result = await python(
    `s3.create_bucket(Bucket='${BUCKET}')
cfg = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=4)
s3.upload_file(args['src'], '${BUCKET}', 'data/forty.bin', Config=cfg)
head = s3.head_object(Bucket='${BUCKET}', Key='data/forty.bin')
s3.download_file('${BUCKET}', 'data/forty.bin', args['dst'], Config=cfg)
uploads = s3.list_multipart_uploads(Bucket='${BUCKET}')
return {'etag': head['ETag'], 'length': head['ContentLength'], 'sse': head['ServerSideEncryption'], 'uploads': uploads.get('Uploads', [])}`,
    { src: dir.path('forty.bin'), dst: dir.path('forty-back.bin') },
  );
  assert.deepEqual(result, { etag: multipartEtag(readFileSync(dir.path('forty.bin')), 8 * MiB), length: size, sse: 'AES256', uploads: [] });
  assert.match(result.etag, /-5"$/);
  assert.equal(await sha256OfFile(dir.path('forty-back.bin')), sha);
});

test('generate_presigned_url: curl GETs the object and PUTs a new one', async () => {
  const urls = await python(
    `s3.put_object(Bucket='${BUCKET}', Key='hello.txt', Body=b'hello from boto3\\n', ContentType='text/plain')
return {
  'get': s3.generate_presigned_url('get_object', Params={'Bucket': '${BUCKET}', 'Key': 'hello.txt'}, ExpiresIn=300),
  'put': s3.generate_presigned_url('put_object', Params={'Bucket': '${BUCKET}', 'Key': 'uploaded.txt'}, ExpiresIn=300),
}`,
  );
  assert.match(urls.get, new RegExp(`^${bonsai.endpoint}/${BUCKET}/hello.txt\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&`));
  const got = await runTool('curl', ['-s', '-D', '-', urls.get]);
  assert.match(got.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(got.stdout, /\r\nContent-Type: text\/plain\r\n/i);
  assert.ok(got.stdout.endsWith('\r\n\r\nhello from boto3\n'), got.stdout);

  dir.write('to-put.txt', 'put through a presigned URL\n');
  const put = await runTool('curl', ['-s', '-D', '-', '-T', dir.path('to-put.txt'), urls.put]);
  // curl asks `Expect: 100-continue` before a body; S3 answers 100 Continue, then 200.
  assert.match(put.stdout, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  assert.match(put.stdout, new RegExp(`\r\nETag: "${md5Hex('put through a presigned URL\n')}"\r\n`, 'i'));
  const back = await python(`return s3.get_object(Bucket='${BUCKET}', Key='uploaded.txt')['Body'].read().decode()`);
  assert.equal(back, 'put through a presigned URL\n');

  // The PUT URL does not open any other key.
  const other = await runTool('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', '-T', dir.path('to-put.txt'), urls.put.replace('/uploaded.txt?', '/other.txt?')]);
  assert.match(other.stdout, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.ok(other.stdout.endsWith('\n403'));
});

test('generate_presigned_post: curl -F uploads the file under the policy', async () => {
  const post = await python(`return s3.generate_presigned_post('${BUCKET}', 'posted/\${filename}', ExpiresIn=300)`);
  dir.write('form.txt', 'sent as a form\n');
  const fields = Object.entries(post.fields as Record<string, string>).flatMap(([name, value]) => ['-F', `${name}=${value}`]);
  const sent = await runTool('curl', ['-s', '-o', '-', '-w', '%{http_code}', ...fields, '-F', `file=@${dir.path('form.txt')}`, post.url]);
  assert.equal(sent.stdout, '204');
  const back = await python(`return s3.get_object(Bucket='${BUCKET}', Key='posted/form.txt')['Body'].read().decode()`);
  assert.equal(back, 'sent as a form\n');
});
