/**
 * A plain HTTP request with a Host header of the test's choosing (fetch drops Host), for the S3
 * web tests: virtual-hosted addresses and the website endpoint on a loopback Bonsai.
 */
import { request } from 'node:http';

export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export function plainRequest(endpoint: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<PlainResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
