/**
 * A logger with pino's call shape: `logger.info({ id }, 'message')`. Pass a pino instance, a child
 * logger, or anything with these four methods. The queue never logs payloads.
 *
 * @category Telemetry
 */
export interface Logger {
  /** Each claim, guard, ack and recycle: verbose, off in production. */
  debug(obj: object, msg?: string): void;
  /** A tick's summary, an operator action. */
  info(obj: object, msg?: string): void;
  /** A message that ended FAILED or HELD (with its error), a refused late ack, an expired lease. */
  warn(obj: object, msg?: string): void;
  /** The storage failed. */
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** The default: logs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
