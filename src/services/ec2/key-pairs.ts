/**
 * EC2 key pairs (EC2 User Guide, "Amazon EC2 key pairs"): CreateKeyPair generates the key and hands
 * the private half back once, ImportKeyPair takes an OpenSSH (or PEM) public key, DescribeKeyPairs
 * and DeleteKeyPair. Only public keys are stored. Fingerprints are computed as AWS documents them:
 *   - RSA created by EC2: SHA-1 of the private key in PKCS#8 DER, colon-separated hex;
 *   - RSA imported: MD5 of the public key in DER (SubjectPublicKeyInfo), colon-separated hex;
 *   - ED25519 (either way): base64 SHA-256 of the OpenSSH public key blob.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type { CreateKeyPairRequest, DeleteKeyPairRequest, DescribeKeyPairsRequest, ImportKeyPairRequest, KeyPairInfo, Tag } from '../../generated/ec2/types.ts';
import { newComputeId, readCompute, writeCompute, isoAt, type ComputeDb } from './compute-store.ts';
import { ec2Error, invalidParameterValue } from './errors.ts';
import { applyFilters, type FilterFields } from './filters.ts';
import { tagsFromSpecifications } from './tags.ts';

export interface KeyPairRecord {
  KeyPairId: string;
  KeyName: string;
  KeyType: 'rsa' | 'ed25519';
  KeyFingerprint: string;
  /** "ssh-rsa AAAA…" (no comment), for DescribeKeyPairs IncludePublicKey. */
  PublicKey: string;
  CreateTime: string;
  Tags: Tag[];
}

// ---------------------------------------------------------------------------------------------
// SSH wire format (RFC 4253 §6.6): length-prefixed strings and mpints.

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** An unsigned big-endian integer as an SSH mpint (a leading zero when the top bit is set). */
function sshMpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  return sshString(trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function readSshStrings(blob: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) throw new Error('truncated');
    const len = blob.readUInt32BE(offset);
    if (offset + 4 + len > blob.length) throw new Error('truncated');
    out.push(blob.subarray(offset + 4, offset + 4 + len));
    offset += 4 + len;
  }
  return out;
}

function colonHex(digest: Buffer): string {
  return digest.toString('hex').match(/../g)!.join(':');
}

/** The OpenSSH public key blob of a node key object. */
function publicBlob(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') {
    return Buffer.concat([sshString('ssh-rsa'), sshMpint(Buffer.from(jwk.e!, 'base64url')), sshMpint(Buffer.from(jwk.n!, 'base64url'))]);
  }
  return Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]);
}

function ed25519Fingerprint(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('base64');
}

/**
 * OpenSSH's private key format ("openssh-key-v1", unencrypted), which is what EC2 returns for
 * ED25519 key pairs: the public blob, then a section with two equal check integers, the key type,
 * the public key, seed‖public key, a comment and 1,2,3… padding to the cipher block size (8).
 */
function openSshPrivateKey(privateKey: KeyObject, publicKey: KeyObject): string {
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString('')]);
  const padding: number[] = [];
  for (let i = 1; (section.length + padding.length) % 8 !== 0; i++) padding.push(i);
  section = Buffer.concat([section, Buffer.from(padding)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    Buffer.from([0, 0, 0, 1]),
    sshString(publicBlob(publicKey)),
    sshString(section),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}

/** A new key pair: the private key as EC2 hands it out, and the record kept of it. */
export function generateKeyPair(keyType: 'rsa' | 'ed25519'): { keyMaterial: string; fingerprint: string; publicKey: string } {
  if (keyType === 'ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const blob = publicBlob(publicKey);
    return { keyMaterial: openSshPrivateKey(privateKey, publicKey).trimEnd(), fingerprint: ed25519Fingerprint(blob), publicKey: `ssh-ed25519 ${blob.toString('base64')}` };
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const pem = (privateKey.export({ format: 'pem', type: 'pkcs1' }) as string).trimEnd();
  return {
    keyMaterial: pem,
    fingerprint: colonHex(createHash('sha1').update(pkcs8).digest()),
    publicKey: `ssh-rsa ${publicBlob(publicKey).toString('base64')}`,
  };
}

/**
 * Reads an imported public key: OpenSSH ("ssh-rsa AAAA… comment", "ssh-ed25519 …") or PEM.
 * Returns undefined when it is neither (EC2 answers InvalidKey.Format).
 */
export function parsePublicKey(material: string): { keyType: 'rsa' | 'ed25519'; fingerprint: string; publicKey: string } | undefined {
  const text = material.trim();
  try {
    const ssh = /^(ssh-rsa|ssh-ed25519)\s+([A-Za-z0-9+/=]+)(\s.*)?$/s.exec(text);
    let key: KeyObject;
    if (ssh) {
      const blob = Buffer.from(ssh[2]!, 'base64');
      const [type, a, b] = readSshStrings(blob);
      if (type?.toString() !== ssh[1]) return undefined;
      if (ssh[1] === 'ssh-ed25519') {
        if (a?.length !== 32) return undefined;
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: a.toString('base64url') }, format: 'jwk' });
      } else {
        if (!a || !b) return undefined;
        key = createPublicKey({ key: { kty: 'RSA', e: a.toString('base64url'), n: stripLeadingZero(b).toString('base64url') }, format: 'jwk' });
      }
    } else if (text.startsWith('-----BEGIN')) {
      key = createPublicKey(text);
    } else {
      return undefined;
    }
    const blob = publicBlob(key);
    if (key.asymmetricKeyType === 'ed25519') return { keyType: 'ed25519', fingerprint: ed25519Fingerprint(blob), publicKey: `ssh-ed25519 ${blob.toString('base64')}` };
    if (key.asymmetricKeyType !== 'rsa') return undefined;
    const spki = key.export({ format: 'der', type: 'spki' });
    return { keyType: 'rsa', fingerprint: colonHex(createHash('md5').update(spki).digest()), publicKey: `ssh-rsa ${blob.toString('base64')}` };
  } catch {
    return undefined;
  }
}

function stripLeadingZero(b: Buffer): Buffer {
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}

// ---------------------------------------------------------------------------------------------
// Operations

const KEY_NAME_MAX = 255;

function checkKeyName(name: string | undefined): string {
  if (name === undefined || name === '') throw ec2Error('MissingParameter', 'The request must contain the parameter KeyName');
  if (name.length > KEY_NAME_MAX || !/^[\x20-\x7e]+$/.test(name)) {
    throw invalidParameterValue(`Value (${name}) for parameter keyName is invalid. Key name must be ASCII and at most 255 characters.`);
  }
  return name;
}

async function findByName(db: ComputeDb, name: string): Promise<KeyPairRecord | undefined> {
  return (await db.list<KeyPairRecord>('key-pair')).find((k) => k.KeyName === name);
}

/** A key pair by name, or EC2's InvalidKeyPair.NotFound. RunInstances uses it for KeyName. */
export async function requireKeyPairByName(db: ComputeDb, name: string): Promise<KeyPairRecord> {
  const found = await findByName(db, name);
  if (!found) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);
  return found;
}

async function storeKeyPair(ctx: RequestContext, name: string, fields: Omit<KeyPairRecord, 'KeyPairId' | 'KeyName' | 'CreateTime'>): Promise<KeyPairRecord> {
  return writeCompute(ctx, async (db) => {
    if (await findByName(db, name)) throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
    const record: KeyPairRecord = { KeyPairId: newComputeId('key'), KeyName: name, CreateTime: isoAt(ctx.clock.nowMs()), ...fields };
    // Key pairs are stored by id; names are unique per region, checked above.
    await db.put('key-pair', record.KeyPairId, record);
    return record;
  });
}

export async function createKeyPair(ctx: RequestContext, input: CreateKeyPairRequest) {
  const name = checkKeyName(input.KeyName);
  const keyType = input.KeyType ?? 'rsa';
  if (keyType !== 'rsa' && keyType !== 'ed25519') throw invalidParameterValue(`Value (${keyType}) for parameter keyType is invalid.`);
  if (input.KeyFormat === 'ppk') throw invalidParameterValue('Bonsai does not produce PuTTY (ppk) private keys; request the pem format.');
  const tags = tagsFromSpecifications(input.TagSpecifications, 'key-pair');
  const generated = generateKeyPair(keyType);
  const record = await storeKeyPair(ctx, name, { KeyType: keyType, KeyFingerprint: generated.fingerprint, PublicKey: generated.publicKey, Tags: tags });
  return {
    KeyFingerprint: record.KeyFingerprint,
    KeyMaterial: generated.keyMaterial,
    KeyName: record.KeyName,
    KeyPairId: record.KeyPairId,
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

export async function importKeyPair(ctx: RequestContext, input: ImportKeyPairRequest) {
  const name = checkKeyName(input.KeyName);
  const raw = input.PublicKeyMaterial as unknown;
  const text = Buffer.isBuffer(raw) || raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : String(raw ?? '');
  const parsed = parsePublicKey(text);
  if (!parsed) throw ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  const tags = tagsFromSpecifications(input.TagSpecifications, 'key-pair');
  const record = await storeKeyPair(ctx, name, { KeyType: parsed.keyType, KeyFingerprint: parsed.fingerprint, PublicKey: parsed.publicKey, Tags: tags });
  return { KeyFingerprint: record.KeyFingerprint, KeyName: record.KeyName, KeyPairId: record.KeyPairId, ...(tags.length > 0 ? { Tags: tags } : {}) };
}

const KEY_PAIR_FILTERS: FilterFields<KeyPairRecord> = {
  'key-pair-id': (k) => k.KeyPairId,
  'key-name': (k) => k.KeyName,
  fingerprint: (k) => k.KeyFingerprint,
  'key-type': (k) => k.KeyType,
};

export function keyPairView(k: KeyPairRecord, includePublicKey: boolean): KeyPairInfo {
  return {
    KeyPairId: k.KeyPairId,
    KeyType: k.KeyType,
    Tags: k.Tags,
    ...(includePublicKey ? { PublicKey: `${k.PublicKey} ${k.KeyName}` } : {}),
    CreateTime: k.CreateTime as unknown as Date,
    KeyName: k.KeyName,
    KeyFingerprint: k.KeyFingerprint,
  };
}

export async function describeKeyPairs(ctx: RequestContext, input: DescribeKeyPairsRequest) {
  const all = (await readCompute(ctx).list<KeyPairRecord>('key-pair')).sort((a, b) => a.KeyName.localeCompare(b.KeyName));
  const names = input.KeyNames ?? [];
  const ids = input.KeyPairIds ?? [];
  const missingName = names.find((n) => !all.some((k) => k.KeyName === n));
  if (missingName !== undefined) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missingName}' does not exist`);
  const missingId = ids.find((id) => !all.some((k) => k.KeyPairId === id));
  if (missingId !== undefined) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${missingId}' does not exist`);
  const selected = all.filter((k) => (names.length === 0 || names.includes(k.KeyName)) && (ids.length === 0 || ids.includes(k.KeyPairId)));
  const filtered = applyFilters(selected, input.Filters, KEY_PAIR_FILTERS);
  return { KeyPairs: filtered.map((k) => keyPairView(k, input.IncludePublicKey === true)) };
}

/** Deleting a key pair that does not exist succeeds, as on AWS; instances keep their KeyName. */
export async function deleteKeyPair(ctx: RequestContext, input: DeleteKeyPairRequest) {
  if (input.KeyName === undefined && input.KeyPairId === undefined) throw ec2Error('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
  const deleted = await writeCompute(ctx, async (db) => {
    const all = await db.list<KeyPairRecord>('key-pair');
    const found = all.find((k) => (input.KeyPairId !== undefined ? k.KeyPairId === input.KeyPairId : k.KeyName === input.KeyName));
    if (!found) {
      if (input.KeyPairId !== undefined) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${input.KeyPairId}' does not exist`);
      return undefined;
    }
    await db.delete('key-pair', found.KeyPairId);
    return found;
  });
  return { Return: true, ...(deleted ? { KeyPairId: deleted.KeyPairId } : {}) };
}
