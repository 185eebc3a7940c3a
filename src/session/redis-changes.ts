// Session changes shared by every instance of one Redis store: each write or destroy is published on a channel.
import type { RedisClient } from '../redis/redis-client.ts';
import { LocalChanges, type SessionChangeListener, type SessionChanges } from './session-changes.ts';

/** What a message says when any session may have changed (never a session id, which is 43 characters). */
const ANY = '*';
/** The subscription is asked to answer this often... */
const HEARTBEAT_MS = 1000;
/** ...and counts as lost when it has not answered for this long (a silent network failure sends no 'close'). */
const SILENT_FOR_MS = 2500;

/**
 * Changes made here are told at once; those of other instances arrive on `channel` (Redis pub/sub, on a connection
 * of its own, opened when the first listener subscribes). Complete only while that connection is subscribed and
 * answered a ping within the last 2.5 s: when it drops or falls silent, listeners hear "anything may have changed"
 * and copies are not used until it is back.
 */
export class RedisChanges implements SessionChanges {
  private readonly local = new LocalChanges();
  private subscriber: RedisClient | undefined;
  private subscribed = false;
  /** When the subscription last answered (Date.now). */
  private heardAt = 0;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: RedisClient,
    private readonly channel: string,
  ) {}

  subscribe(listener: SessionChangeListener): void {
    this.local.subscribe(listener);
    if (!this.subscriber) this.listen();
  }

  complete(): boolean {
    if (!this.subscribed) return false;
    if (Date.now() - this.heardAt < SILENT_FOR_MS) return true;
    this.lose();
    return false;
  }

  /** After a change made by this instance: told here now, and to every other instance. */
  async publish(id: string | undefined): Promise<void> {
    this.local.changed(id);
    try {
      await this.client.publish(this.channel, id ?? ANY);
    } catch {
      // Unsent: other instances cannot be told, so none may trust its copies (they drop them on the lost channel,
      // or this instance's connection is down too and they fail closed on their next read).
    }
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscribed = false;
    clearInterval(this.heartbeat);
    if (!subscriber || subscriber.status === 'end') return;
    try {
      await subscriber.quit();
    } catch {
      subscriber.disconnect();
    }
  }

  /** Copies are no longer safe: whatever changes from now on may go unheard. */
  private lose(): void {
    if (!this.subscribed) return;
    this.subscribed = false;
    this.local.changed(undefined);
  }

  private listen(): void {
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    const lost = () => this.lose();
    this.heartbeat = setInterval(() => {
      if (subscriber.status !== 'ready') return;
      subscriber.ping().then(() => {
        this.heardAt = Date.now();
      }, lost);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    subscriber.on('error', lost);
    subscriber.on('close', lost);
    subscriber.on('end', lost);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.local.changed(message === ANY ? undefined : message);
    });
    // On every (re)connection: subscribe, and only then count as complete; whatever changed while away is forgotten.
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(() => {
        this.local.changed(undefined);
        this.heardAt = Date.now();
        this.subscribed = true;
      }, lost);
    });
  }
}
