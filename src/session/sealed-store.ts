// Session values encrypted at rest: a wrapper around any store (memory, Redis, any later one), so none holds a
// token, an email address or a name in clear.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ownersOf, type SessionStore, type SessionWriteOptions } from './memory-store.ts';
import { createLru } from '../lru.ts';
import type { SessionChanges } from './session-changes.ts';
import { deriveKeys } from './session-keys.ts';

/**
 * `v2`: the plaintext is compressed (raw deflate, fastest level) before it is encrypted: a signed-in session's
 * tokens shrink by a quarter, which is a quarter less memory per session in every store. `v1` (not compressed) is
 * still read, so sessions sealed before an upgrade live on. Compression cannot leak across sessions: each value is
 * compressed alone, and holds one visitor's own data only.
 */
const VERSION = 'v2';
const VERSION_1 = 'v1';
/** No session is near this; a value that would open larger is refused rather than inflated. */
const MAX_PLAINTEXT_BYTES = 1 << 20;
/**
 * Sealed values opened lately, by ciphertext and owner tags: a session read on every request is decrypted once per
 * write, not once per request. A value that changes is sealed anew (a new IV), so it is a new entry; a destroyed
 * one is never read from the store again. Plaintext stays in this process only, where the keys are anyway.
 */
const OPENED_ENTRIES = 1000;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What the inner store holds for a session: owner tags (keyed hashes, for destroyOwnedBy) and the sealed value. */
interface Envelope {
  owners?: string[];
  sealed: string;
}

/** The plaintext inside: the session, and the id it was written under (a value moved to another id is refused). */
interface Payload {
  id: string;
  session: Record<string, unknown>;
}

/**
 * Seals every session with AES-256-GCM before the inner store sees it. Keys are derived with HKDF from each of
 * SESSION_KEYS (newest first): the newest seals, every one opens, so a rotation with the same list keeps sessions.
 * Owners (`email:..`, `sub:..`) become keyed tags, so the index names nobody either. A value that does not open
 * (tampered, moved to another id, sealed with a key no longer listed, or not sealed at all) reads as no session.
 */
export class SealedSessionStore implements SessionStore {
  private readonly valueKeys: Buffer[];
  private readonly ownerKeys: Buffer[];
  private readonly opened = createLru<string>(OPENED_ENTRIES);

  constructor(
    readonly inner: SessionStore,
    secrets: readonly string[],
  ) {
    if (secrets.length === 0) throw new Error('SealedSessionStore needs at least one key (SESSION_KEYS)');
    this.valueKeys = deriveKeys(secrets, 'session-values');
    this.ownerKeys = deriveKeys(secrets, 'session-owners');
  }

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    const envelope = await this.inner.get(key);
    if (!envelope) return undefined;
    const payload = this.open(envelope);
    return payload && payload.id === key ? payload.session : undefined;
  }

  set(
    key: string,
    session: Record<string, unknown>,
    maxAgeMs: number,
    options?: SessionWriteOptions,
  ): Promise<void> {
    const owners = ownersOf(session).map((owner) => ownerTag(this.ownerKeys[0]!, owner));
    const envelope: Envelope = {
      ...(owners.length > 0 ? { owners } : {}),
      sealed: seal(this.valueKeys[0]!, JSON.stringify({ id: key, session } satisfies Payload), aad(owners)),
    };
    return this.inner.set(key, envelope as unknown as Record<string, unknown>, maxAgeMs, options);
  }

  destroy(key: string): Promise<void> {
    return this.inner.destroy(key);
  }

  async destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]> {
    // Sessions last written under an older key are indexed by that key's tag.
    const ended = await Promise.all(this.ownerKeys.map((k) => this.inner.destroyOwnedBy(ownerTag(k, owner))));
    return ended.flat().flatMap((envelope) => {
      const payload = this.open(envelope);
      return payload ? [payload.session] : [];
    });
  }

  ping(): Promise<boolean> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  get changes(): SessionChanges | undefined {
    return this.inner.changes;
  }

  private open(envelope: Record<string, unknown>): Payload | undefined {
    const sealed = envelope.sealed;
    if (typeof sealed !== 'string') return undefined;
    const owners = envelope.owners === undefined ? [] : envelope.owners;
    if (!Array.isArray(owners) || !owners.every((o): o is string => typeof o === 'string')) return undefined;
    // The owner tags are part of what was sealed (the AAD), so they are part of the key.
    const cacheKey = `${sealed}\n${owners.join('\n')}`;
    let plain = this.opened.get(cacheKey);
    if (plain === undefined) {
      for (const key of this.valueKeys) {
        plain = unseal(key, sealed, owners);
        if (plain !== undefined) break;
      }
      if (plain === undefined) return undefined;
      this.opened.set(cacheKey, plain);
    }
    return parsePayload(plain);
  }
}

/** The payload inside an opened value, or undefined when it is not one. */
function parsePayload(plain: string): Payload | undefined {
  try {
    const payload = JSON.parse(plain) as Partial<Payload>;
    if (typeof payload.id !== 'string' || !payload.session || typeof payload.session !== 'object') {
      return undefined;
    }
    return { id: payload.id, session: payload.session };
  } catch {
    return undefined;
  }
}

/** Wraps `store` so every value is sealed with keys from `secrets` (SESSION_KEYS, newest first). */
export function sealSessionStore(store: SessionStore, secrets: readonly string[]): SealedSessionStore {
  return new SealedSessionStore(store, secrets);
}

/** An owner as the index sees it: a keyed hash (HMAC-SHA256), not the address or id itself. */
function ownerTag(key: Buffer, owner: string): string {
  return `o:${createHmac('sha256', key).update(owner).digest('base64url')}`;
}

/**
 * The owner tags are bound to the sealed value (they cannot be swapped for another session's), and so is the
 * format version (a value cannot be read as another format).
 */
function aad(owners: readonly string[], version = VERSION): Buffer {
  return Buffer.from(`${version}\n${owners.join('\n')}`);
}

/**
 * The fastest level, with a window and memory sized for a session (a few KB) instead of zlib's defaults: 48 KB of
 * state to set up for each value instead of 256 KB, the same speed once warm and 1% larger output. On a sign-in,
 * where the process has sat idle for the password check, setting up the default state was its largest single step.
 * Any window opens with the default inflate, so values sealed before still open.
 */
const DEFLATE = { level: 1, windowBits: 13, memLevel: 5 };

function seal(key: Buffer, plain: string, additional: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additional);
  const compressed = deflateRawSync(plain, DEFLATE);
  const body = Buffer.concat([cipher.update(compressed), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The plaintext of a value sealed by `seal` (v2) or by the version before it (v1), or undefined. */
function unseal(key: Buffer, sealed: string, owners: readonly string[]): string | undefined {
  const version = sealed.startsWith(`${VERSION}.`)
    ? VERSION
    : sealed.startsWith(`${VERSION_1}.`)
      ? VERSION_1
      : '';
  if (version === '') return undefined;
  const raw = Buffer.from(sealed.slice(version.length + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(owners, version));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const opened = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
    const plain =
      version === VERSION ? inflateRawSync(opened, { maxOutputLength: MAX_PLAINTEXT_BYTES }) : opened;
    return plain.toString('utf8');
  } catch {
    return undefined;
  }
}
