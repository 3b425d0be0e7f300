/**
 * A logger with pino's call shape: `logger.info({ id }, 'message')`. Pass a pino instance, a child
 * logger, or anything with these four methods. The queue never logs payloads.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** The default: logs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
