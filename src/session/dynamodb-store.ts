// Sessions in DynamoDB, shared by every instance and by Lambda functions: one item per session with its TTL, one
// item per owner listing that owner's session ids.
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  ownersOf,
  type SessionStore,
  type SessionWriteMode,
  type SessionWriteOptions,
} from './memory-store.ts';

export interface DynamoDbStoreOptions {
  /** The table (DYNAMODB_TABLE): partition key `pk` (string), TTL on `expiresAt`. */
  table: string;
  /** ms since the epoch; tests move it to expire sessions without waiting. */
  now?: () => number;
}

/** The attribute DynamoDB's TTL must be enabled on: epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

type Item = Record<string, AttributeValue>;

/**
 * Names used in the expressions below. DynamoDB refuses a name given but not used, so each expression gets only
 * the ones it uses (`names`).
 */
const NAMES = {
  '#pk': 'pk',
  '#value': 'value',
  '#exp': 'expiresAtMs',
  '#ttl': TTL_ATTRIBUTE,
  '#destroyed': 'destroyed',
  '#owners': 'owners',
  '#sessions': 'sessions',
} as const;

function names(expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([token]) => expression.includes(token)));
}

/**
 * The rule of every store (memory-store.ts, writeAllowed) as a condition on the stored item, checked atomically by
 * the write. `live`: the item exists and has not expired (TTL deletion is lazy: an expired item may linger for
 * days). Never over a live tombstone; `create` only where nothing lives (a live tombstone lives, so it is refused
 * too); `update` only where a session, not a tombstone, still lives.
 */
const WRITE_CONDITIONS: Record<SessionWriteMode | 'any', string> = {
  any: 'attribute_not_exists(#pk) OR #exp <= :now OR attribute_not_exists(#destroyed)',
  create: 'attribute_not_exists(#pk) OR #exp <= :now',
  update: 'attribute_exists(#pk) AND #exp > :now AND attribute_not_exists(#destroyed)',
};

/** A live session (not a tombstone): what destroy turns into a tombstone. */
const LIVE_SESSION = 'attribute_exists(#pk) AND #exp > :now AND attribute_not_exists(#destroyed)';

/**
 * Items of one table, told apart by their partition key:
 *
 * - `sess#<id>`: `value` (the session as JSON, opaque: the sealed wrapper encrypts above this store),
 *   `expiresAtMs` (exact expiry, checked on every read and write), `expiresAt` (the same in epoch seconds, for
 *   DynamoDB's TTL), `owners` (string set of hashed owner names). A destroyed session keeps its item as a tombstone
 *   until it would have expired: `destroyed` set, `value` removed, so no request in flight can write it back.
 * - `owner#<sha256 of the owner>`: `sessions` (string set of session ids), `expiresAt` as long as the owner's
 *   longest session. Owner names (e.g. email addresses) are hashed, so no key names a person. An id may outlive
 *   its session there (expired, or rewritten with other owners): destroyOwnedBy ends a session only if the
 *   session item itself still lists the owner.
 *
 * Reads are strongly consistent, so a sign-out on one instance is seen at once by every other.
 *
 * No `changes`: DynamoDB has no pub/sub (Streams need a consumer per instance), so this store cannot tell other
 * instances of a change, and the session copies kept between requests (session-copies.ts, "kept passes") are
 * simply not used with it: every request reads its session from the table.
 *
 * The client belongs to the caller (it is shared with the rate limiters).
 */
export class DynamoDbSessionStore implements SessionStore {
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: DynamoDbStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.options.table,
        Key: { pk: { S: sessionKey(key) } },
        ConsistentRead: true,
      }),
    );
    if (!Item || Item.destroyed || Number(Item.expiresAtMs?.N ?? 0) <= this.now()) return undefined;
    return parse(Item.value?.S);
  }

  async set(
    key: string,
    session: Record<string, unknown>,
    maxAgeMs: number,
    options: SessionWriteOptions = {},
  ): Promise<void> {
    const now = this.now();
    const expiresAtMs = now + Math.max(1, Math.ceil(maxAgeMs));
    const owners = [...new Set(ownersOf(session).map(ownerHash))];
    const condition = WRITE_CONDITIONS[options.mode ?? 'any'];
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.table,
          Item: {
            pk: { S: sessionKey(key) },
            value: { S: JSON.stringify(session) },
            expiresAtMs: { N: String(expiresAtMs) },
            [TTL_ATTRIBUTE]: { N: String(ttlSeconds(expiresAtMs)) },
            ...(owners.length > 0 ? { owners: { SS: owners } } : {}),
          },
          ConditionExpression: condition,
          ExpressionAttributeNames: names(condition),
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return;
      throw err;
    }
    await Promise.all(owners.map((owner) => this.addOwned(owner, key, expiresAtMs)));
  }

  async destroy(key: string): Promise<void> {
    const ended = await this.take(key);
    if (ended) await Promise.all(ended.owners.map((owner) => this.removeOwned(owner, [key])));
  }

  async destroyOwnedBy(owner: string): Promise<Record<string, unknown>[]> {
    const hash = ownerHash(owner);
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.options.table,
        Key: { pk: { S: ownerKey(hash) } },
        ConsistentRead: true,
      }),
    );
    const ids = Item?.sessions?.SS ?? [];
    const ended = await Promise.all(ids.map((id) => this.take(id, hash)));
    // Only the ids handled here leave the set: a session this owner starts meanwhile stays findable.
    if (ids.length > 0) await this.removeOwned(hash, ids);
    return ended.flatMap((e) => (e?.session ? [e.session] : []));
  }

  /** A strongly consistent read of a key that never exists: DynamoDB answers, and the table is there. */
  async ping(): Promise<boolean> {
    try {
      await this.client.send(
        new GetItemCommand({
          TableName: this.options.table,
          Key: { pk: { S: 'ping#' } },
          ConsistentRead: true,
        }),
      );
      return true;
    } catch {
      return false;
    }
  }

  /** The client is shared with the rate limiters: whoever created it destroys it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Turns a live session into its tombstone atomically and returns what it held (undefined if nothing lived
   * there). The TTL is left as it was, so the tombstone lives as long as the session would have. With `owner`
   * (a hash), only if the session still lists that owner.
   */
  private async take(
    id: string,
    owner?: string,
  ): Promise<{ session: Record<string, unknown> | undefined; owners: string[] } | undefined> {
    const condition = owner ? `${LIVE_SESSION} AND contains(#owners, :owner)` : LIVE_SESSION;
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: { pk: { S: sessionKey(id) } },
          UpdateExpression: 'SET #destroyed = :true REMOVE #value',
          ConditionExpression: condition,
          ExpressionAttributeNames: names(`${condition} #destroyed #value`),
          ExpressionAttributeValues: {
            ':now': { N: String(this.now()) },
            ':true': { BOOL: true },
            ...(owner ? { ':owner': { S: owner } } : {}),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { session: parse(Attributes?.value?.S), owners: Attributes?.owners?.SS ?? [] };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  /** Adds a session id to an owner's item, and makes the item live at least as long as that session. */
  private async addOwned(owner: string, id: string, expiresAtMs: number): Promise<void> {
    const key: Item = { pk: { S: ownerKey(owner) } };
    const ids = { ':ids': { SS: [id] } };
    const lengthen = 'attribute_not_exists(#ttl) OR #ttl < :ttl';
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: key,
          UpdateExpression: 'ADD #sessions :ids SET #ttl = :ttl',
          ConditionExpression: lengthen,
          ExpressionAttributeNames: names(`${lengthen} #sessions`),
          ExpressionAttributeValues: { ...ids, ':ttl': { N: String(ttlSeconds(expiresAtMs)) } },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      // The item already lives longer than this session: only add the id.
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: key,
          UpdateExpression: 'ADD #sessions :ids',
          ExpressionAttributeNames: names('#sessions'),
          ExpressionAttributeValues: ids,
        }),
      );
    }
  }

  /** Removes ids from an owner's item, if it is still there (an update would otherwise create it). */
  private async removeOwned(owner: string, ids: string[]): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: { pk: { S: ownerKey(owner) } },
          UpdateExpression: 'DELETE #sessions :ids',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names('#sessions #pk'),
          ExpressionAttributeValues: { ':ids': { SS: ids } },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
}

function sessionKey(id: string): string {
  return `sess#${id}`;
}

function ownerKey(hash: string): string {
  return `owner#${hash}`;
}

function ownerHash(owner: string): string {
  return createHash('sha256').update(owner).digest('base64url');
}

/** DynamoDB's TTL is in epoch seconds; rounded up, so the item never goes before the session ends. */
function ttlSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}

function parse(json: string | undefined): Record<string, unknown> | undefined {
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
