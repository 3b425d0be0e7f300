/**
 * `msgqueue.config.ts`: how the CLI finds your queues — the same `createQueue` calls your app makes,
 * over your own client (Prisma, pg, Kysely, Drizzle).
 *
 * ```ts
 * // msgqueue.config.ts
 * import { defineConfig } from '@org/msgqueue-cli';
 * import { prisma } from './lib/db';
 * import { incoming, outgoing } from './lib/queues';
 *
 * export default defineConfig({ queues: [outgoing, incoming], close: () => prisma.$disconnect() });
 * ```
 */
import type { Queue } from '@org/msgqueue';

/** What a `msgqueue.config.ts` exports by default: the queues, and how to let go of their connections. */
export interface MsgqueueConfig {
  /** The queues the CLI may act on, picked with `--queue <name>` when there are several. */
  // biome-ignore lint/suspicious/noExplicitAny: a config holds queues of any payload type.
  queues: Queue<any>[];
  /** Called before the CLI exits (close the pool or client the queues use). */
  close?: () => unknown;
}

/** Type-checks a config; returns it unchanged. */
export function defineConfig(config: MsgqueueConfig): MsgqueueConfig {
  return config;
}
