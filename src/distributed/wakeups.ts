import type { Redis } from 'ioredis';
import { describeError } from '../errors/index.ts';

/**
 * Redis pub/sub used as a doorbell: a process that frees a slot (or changes a shared limit)
 * publishes on a channel, and the processes waiting for one try again at once instead of polling.
 * A message can be lost (a reconnect); waiters therefore also re-check on a timer, so a lost
 * message delays a waiter, never strands it.
 */
export interface Wakeups {
  /** Calls `listener` with each message on `channel`; returns the function that stops it. */
  subscribe(channel: string, listener: (message: string) => void): () => void;
  /** Closes the subscriber connection. */
  close(): Promise<void>;
}

/**
 * Wakeups over one subscriber connection, duplicated from `redis` when the first channel is
 * subscribed (a connection in subscriber mode can send nothing else). ioredis subscribes again
 * after a reconnect.
 */
export function createWakeups(redis: Redis, onError: (error: Error) => void): Wakeups {
  let subscriber: Redis | undefined;
  const listeners = new Map<string, Set<(message: string) => void>>();
  let closed = false;

  const connection = (): Redis => {
    if (subscriber !== undefined) return subscriber;
    const created = redis.duplicate({ connectionName: 'erpbridge-wakeups' });
    let reported = false;
    created.on('error', (error: Error) => {
      if (reported) return;
      reported = true;
      onError(
        new Error(`Redis subscriber connection failed: ${describeError(error)}; waiters re-check on a timer`),
      );
    });
    created.on('ready', () => {
      reported = false;
    });
    created.on('message', (channel: string, message: string) => {
      for (const listener of listeners.get(channel) ?? []) listener(message);
    });
    subscriber = created;
    return created;
  };

  return {
    subscribe(channel, listener) {
      if (closed) return () => undefined;
      let set = listeners.get(channel);
      if (set === undefined) {
        set = new Set();
        listeners.set(channel, set);
        connection()
          .subscribe(channel)
          .catch((error: unknown) =>
            onError(new Error(`could not subscribe to Redis channel ${channel}: ${describeError(error)}`)),
          );
      }
      set.add(listener);
      const own = set;
      return () => {
        own.delete(listener);
        if (own.size > 0 || listeners.get(channel) !== own) return;
        listeners.delete(channel);
        if (closed) return;
        subscriber
          ?.unsubscribe(channel)
          .catch((error: unknown) =>
            onError(
              new Error(`could not unsubscribe from Redis channel ${channel}: ${describeError(error)}`),
            ),
          );
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      const open = subscriber;
      subscriber = undefined;
      if (open === undefined) return;
      try {
        await open.quit();
      } catch {
        // quit fails only when the connection is already gone; nothing is left to close.
        open.disconnect();
      }
    },
  };
}
