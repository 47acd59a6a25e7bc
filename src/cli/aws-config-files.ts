/**
 * Writes a named profile into the AWS CLI's shared files (~/.aws/credentials and ~/.aws/config),
 * replacing that profile's section and leaving every other section as it was.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function upsertIniSection(text: string, section: string, values: Record<string, string>): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) skipping = header[1]!.trim() === section;
    if (!skipping) out.push(line);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  const block = [`[${section}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`)];
  return (out.length ? out.join('\n') + '\n\n' : '') + block.join('\n') + '\n';
}

export function writeProfile(
  files: { credentials: string; config: string },
  profile: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  config: { region: string; endpointUrl: string },
): void {
  updateFile(files.credentials, profile, { aws_access_key_id: creds.accessKeyId, aws_secret_access_key: creds.secretAccessKey }, 0o600);
  const configSection = profile === 'default' ? 'default' : `profile ${profile}`;
  updateFile(files.config, configSection, { region: config.region, endpoint_url: config.endpointUrl }, 0o600);
}

function updateFile(file: string, section: string, values: Record<string, string>, mode: number): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  writeFileSync(file, upsertIniSection(before, section, values), { mode });
}
