// Sessions in Redis, shared by every instance: one key per session with its TTL, one set of session ids per owner.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.ts';
import { ownersOf, type SessionStore } from './memory-store.ts';

export interface RedisStoreOptions {
  /** Prefix of every key (REDIS_KEY_PREFIX), e.g. `cognito-login:`. */
  keyPrefix: string;
}

/**
 * Adds a session id to an owner's set and makes the set live at least as long as that session. One key per
 * script, so it runs on a Redis Cluster too.
 */
const ADD_OWNED = `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * `<prefix>sess:<id>` holds the session as JSON and expires with it (koa-session passes the idle timeout, capped
 * by the absolute lifetime); `<prefix>owner:<hash>` lists the ids of one owner's sessions for destroyOwnedBy.
 * Owner names (e.g. email addresses) are hashed, so no key names a person. The connection belongs to the caller.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly client: RedisClient,
    private readonly options: RedisStoreOptions,
  ) {}

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    return parse(await this.client.get(this.sessionKey(key)));
  }

  async set(key: string, session: Record<string, unknown>, maxAgeMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(maxAgeMs));
    await this.client.set(this.sessionKey(key), JSON.stringify(session), 'PX', ttl);
    await Promise.all(
      ownersOf(session).map((owner) => this.client.eval(ADD_OWNED, 1, this.ownerKey(owner), key, ttl)),
    );
  }

  async destroy(key: string): Promise<void> {
    const session = parse(await this.client.get(this.sessionKey(key)));
    await this.client.del(this.sessionKey(key));
    if (session) {
      await Promise.all(ownersOf(session).map((owner) => this.client.srem(this.ownerKey(owner), key)));
    }
  }

  async destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]> {
    const ownerKey = this.ownerKey(owner);
    const ids = await this.client.smembers(ownerKey);
    const sessions = await Promise.all(
      ids.map(async (id) => {
        const session = parse(await this.client.get(this.sessionKey(id)));
        await this.client.del(this.sessionKey(id));
        return session;
      }),
    );
    await this.client.del(ownerKey);
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

  /** The connection is shared with the rate limiters; whoever created it closes it (closeRedis). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private sessionKey(id: string): string {
    return `${this.options.keyPrefix}sess:${id}`;
  }

  private ownerKey(owner: string): string {
    return `${this.options.keyPrefix}owner:${createHash('sha256').update(owner).digest('base64url')}`;
  }
}

function parse(json: string | null): Record<string, unknown> | undefined {
  if (json === null) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
