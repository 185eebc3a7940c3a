// The ES256 keys that sign the identity assertion: parsed and checked, newest first, each named by a stable UUID kid.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, type JWK } from 'jose';

/** Where the signing keys come from in cloud mode (e.g. an env var the wiring module reads). */
export interface SigningKeySettings {
  /** PEM private keys (PKCS#8 or SEC1 `EC PRIVATE KEY`), EC P-256 only, newest first: the first signs, all are published. */
  privateKeysPem: readonly string[];
}

/** One key: the private half to sign with, the public half as PEM and JWK to publish. */
export interface SigningKey {
  /** A UUID (version 8, RFC 9562) made of the SHA-256 of the public key's SPKI: every instance derives the same. */
  kid: string;
  privateKey: KeyObject;
  /** SPKI PEM of the public key, as an ALB's key endpoint serves it. */
  publicPem: string;
  /** Public JWK with `kid`, `alg: ES256` and `use: sig`. */
  publicJwk: JWK;
}

/** The published keys, newest first; `signing` is the first of them. */
export interface SigningKeySet {
  signing: SigningKey;
  keys: readonly SigningKey[];
}

/** The file `loadOrCreateLocalKey` keeps its key in, inside the directory it is given. */
export const LOCAL_KEY_FILE = 'identity-signing-key.pem';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The private-key PEM blocks in one setting's value, in order: several keys may share one variable, other blocks
 * (the `EC PARAMETERS` that `openssl ecparam -genkey` prints first) are skipped, and newlines written as `\n`
 * (as .env files and Docker often have them) are read as real ones.
 */
export function pemsFromText(value: string): string[] {
  return [...value.replaceAll('\\n', '\n').matchAll(PEM_BLOCK)]
    .filter((m) => m[1]!.endsWith('PRIVATE KEY'))
    .map((m) => `${m[0]}\n`);
}

/** Why a PEM cannot sign the assertion (not a private key, not EC P-256, unreadable), or undefined when it can. */
export function signingKeyProblem(pem: string): string | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return 'is not a readable PEM private key (expected "-----BEGIN PRIVATE KEY-----" or "EC PRIVATE KEY")';
  }
  if (key.asymmetricKeyType !== 'ec') return `is of type ${key.asymmetricKeyType ?? 'unknown'}, not EC P-256`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1') return `is on curve ${curve ?? 'unknown'}, not P-256 (prime256v1)`;
  return undefined;
}

/**
 * Every problem of a list of PEMs, each message naming `label` (the variable they came from) and the key's position,
 * e.g. `IDENTITY_SIGNING_KEYS: key 2 of 2 is of type rsa, not EC P-256`. Empty when all are usable.
 */
export function signingKeyProblems(pems: readonly string[], label: string): string[] {
  if (pems.length === 0) return [`${label}: no PEM private key found`];
  return pems.flatMap((pem, i) => {
    const problem = signingKeyProblem(pem);
    return problem ? [`${label}: key ${i + 1} of ${pems.length} ${problem}`] : [];
  });
}

/** The kid of a public key: the first 16 bytes of the SHA-256 of its SPKI (DER), shaped as a version-8 UUID. */
export function kidOf(publicKey: KeyObject): string {
  const bytes = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The key set of `settings`, newest first. Rejects with one Error naming `label` and every unusable key when any
 * is not an EC P-256 private key; duplicates (the same key twice) are published once.
 */
export async function loadSigningKeys(settings: SigningKeySettings, label: string): Promise<SigningKeySet> {
  const problems = signingKeyProblems(settings.privateKeysPem, label);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const keys: SigningKey[] = [];
  for (const pem of settings.privateKeysPem) {
    const key = await toSigningKey(createPrivateKey({ key: pem, format: 'pem' }));
    if (!keys.some((k) => k.kid === key.kid)) keys.push(key);
  }
  return { signing: keys[0]!, keys };
}

async function toSigningKey(privateKey: KeyObject): Promise<SigningKey> {
  const publicKey = createPublicKey(privateKey);
  const kid = kidOf(publicKey);
  const jwk = await exportJWK(publicKey);
  return {
    kid,
    privateKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' },
  };
}

/**
 * Local mode's key set: one P-256 key kept as `<dir>/identity-signing-key.pem` (mode 0600), made on first use
 * and read again after a restart. Two processes starting at once agree: the file is created atomically and the
 * loser of the race reads the winner's key. A file that is there but unusable is an error naming its path.
 */
export async function loadOrCreateLocalKey(dir: string): Promise<SigningKeySet> {
  const file = path.join(dir, LOCAL_KEY_FILE);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await readIfExists(file);
  if (existing !== undefined) return loadSigningKeys({ privateKeysPem: [existing] }, file);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, pem, { mode: 0o600, flag: 'wx' });
  try {
    await chmod(temp, 0o600); // writeFile's mode is filtered by the umask
    await link(temp, file); // fails when another process made the key first
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return loadSigningKeys({ privateKeysPem: [(await readIfExists(file)) ?? ''] }, file);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return loadSigningKeys({ privateKeysPem: [pem] }, file);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
