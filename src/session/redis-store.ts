// Sessions in Redis, shared by every instance: one key per session with its TTL, one set of session ids per owner.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.ts';
import { ownersOf, type SessionStore, type SessionWriteOptions } from './memory-store.ts';
import { RedisChanges } from './redis-changes.ts';

export interface RedisStoreOptions {
  /** Prefix of every key (REDIS_KEY_PREFIX), e.g. `cognito-login:`. */
  keyPrefix: string;
}

/**
 * What a destroyed session's key holds until the session would have expired: no write may replace it. It can never
 * be the start of a session value (JSON, or a sealed value).
 */
export const TOMBSTONE = '\u0000destroyed';

/**
 * Adds a session id to an owner's set and makes the set live at least as long as that session. One key per
 * script, so it runs on a Redis Cluster too.
 */
const ADD_OWNED = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * Writes a session under the rule of every store (memory-store.ts, writeAllowed), atomically: never over a
 * tombstone; `create` only where nothing lives, `update` only where the session still lives. Returns 1 if written.
 * ARGV: value, TTL (ms), mode (`create`, `update` or `any`), the tombstone.
 */
const WRITE = `
local tombstone = ARGV[4]
local live = redis.call('EXISTS', KEYS[1]) == 1
if live and redis.call('GETRANGE', KEYS[1], 0, #tombstone - 1) == tombstone then return 0 end
if ARGV[3] == 'create' and live then return 0 end
if ARGV[3] == 'update' and not live then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/**
 * Ends a session atomically: returns what it held (nil if nothing lived there) and leaves a tombstone for as long
 * as the session would have lived, so requests in flight with its cookie cannot write it back.
 */
const TAKE = `
local tombstone = ARGV[1]
local value = redis.call('GET', KEYS[1])
if not value or string.sub(value, 1, #tombstone) == tombstone then return false end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('SET', KEYS[1], tombstone, 'PX', ttl) else redis.call('DEL', KEYS[1]) end
return value`;

/**
 * `<prefix>sess:<id>` holds the session as JSON and expires with it (koa-session passes the idle timeout, capped
 * by the absolute lifetime), or the tombstone of a destroyed one; `<prefix>owner:<hash>` lists the ids of one
 * owner's sessions for destroyOwnedBy. Owner names (e.g. email addresses) are hashed, so no key names a person.
 * The connection belongs to the caller.
 */
export class RedisSessionStore implements SessionStore {
  /** Every write and destroy, published on `<prefix>session-changes` for every instance. */
  readonly changes: RedisChanges;

  constructor(
    private readonly client: RedisClient,
    private readonly options: RedisStoreOptions,
  ) {
    this.changes = new RedisChanges(client, `${options.keyPrefix}session-changes`);
  }

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    return parse(await this.client.get(this.sessionKey(key)));
  }

  async set(
    key: string,
    session: Record<string, unknown>,
    maxAgeMs: number,
    options: SessionWriteOptions = {},
  ): Promise<void> {
    const ttl = Math.max(1, Math.ceil(maxAgeMs));
    const written = await this.client.eval(
      WRITE,
      1,
      this.sessionKey(key),
      JSON.stringify(session),
      ttl,
      options.mode ?? 'any',
      TOMBSTONE,
    );
    if (written !== 1) return;
    await Promise.all([
      this.changes.publish(key),
      ...ownersOf(session).map((owner) => this.client.eval(ADD_OWNED, 1, this.ownerKey(owner), key, ttl)),
    ]);
  }

  async destroy(key: string): Promise<void> {
    const session = await this.take(key);
    if (session) {
      await Promise.all([
        this.changes.publish(key),
        ...ownersOf(session).map((owner) => this.client.srem(this.ownerKey(owner), key)),
      ]);
    }
  }

  async destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]> {
    const ownerKey = this.ownerKey(owner);
    const ids = await this.client.smembers(ownerKey);
    const sessions = await Promise.all(ids.map((id) => this.take(id)));
    await Promise.all(ids.map((id) => this.changes.publish(id)));
    // Only the ids handled here leave the set: a session this owner starts meanwhile stays findable.
    if (ids.length > 0) await this.client.srem(ownerKey, ...ids);
    return sessions.filter((s): s is Record<string, unknown> => s !== undefined);
  }

  async ping(): Promise<boolean> {
    if (this.client.status !== 'ready') return false;
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** The connection is shared with the rate limiters (whoever created it closes it); the changes' one is ours. */
  close(): Promise<void> {
    return this.changes.close();
  }

  private async take(id: string): Promise<Record<string, unknown> | undefined> {
    const value = (await this.client.eval(TAKE, 1, this.sessionKey(id), TOMBSTONE)) as string | null;
    return parse(value);
  }

  private sessionKey(id: string): string {
    return `${this.options.keyPrefix}sess:${id}`;
  }

  private ownerKey(owner: string): string {
    return `${this.options.keyPrefix}owner:${createHash('sha256').update(owner).digest('base64url')}`;
  }
}

function parse(json: string | null): Record<string, unknown> | undefined {
  if (json === null || json.startsWith(TOMBSTONE)) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
