/**
 * `@org/msgqueue-cli`: the `msgqueue` command, and `defineConfig` for the `msgqueue.config.ts` it reads.
 *
 * @packageDocumentation
 */
export type { MsgqueueConfig } from './config.js';
export { defineConfig } from './config.js';
