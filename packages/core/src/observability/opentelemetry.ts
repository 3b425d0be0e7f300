/**
 * `@org/msgqueue/opentelemetry`: spans and metrics through `@opentelemetry/api` (an optional peer:
 * install it, and the SDK your app already configures). Off unless a queue is given
 * `telemetry: openTelemetry()`; then each tick is a span `msgqueue.tick`, each send a child span
 * `msgqueue.send`, and the meter `@org/msgqueue` records:
 *
 * | instrument | kind | what |
 * | --- | --- | --- |
 * | `msgqueue.messages.enqueued` | counter | new messages stored |
 * | `msgqueue.messages.sent` | counter | messages delivered and acknowledged |
 * | `msgqueue.messages.failed` | counter | failed attempts; `msgqueue.outcome` = `retry` or `failed` |
 * | `msgqueue.messages.held` | counter | messages held for review (at-most-once) |
 * | `msgqueue.claim.duration` | histogram (ms) | one claim's round trip (claims that returned messages) |
 * | `msgqueue.send.duration` | histogram (ms) | one send; `msgqueue.outcome` = `ok` or `error` |
 * | `msgqueue.backlog` | gauge | PENDING messages due, as of the last `diagnose` (status route, CLI) |
 *
 * Every instrument carries `msgqueue.queue`, the queue's name.
 *
 * ```ts
 * import { openTelemetry } from '@org/msgqueue/opentelemetry';
 * const outbox = createQueue({ adapter, telemetry: openTelemetry() });
 * ```
 *
 * @packageDocumentation
 */
import { type Meter, metrics, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { QueueHooks } from './hooks.js';
import type { Telemetry } from './telemetry.js';

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Default: `trace.getTracer('@org/msgqueue')` from the global provider. */
  tracer?: Tracer;
  /** Default: `metrics.getMeter('@org/msgqueue')` from the global provider. */
  meter?: Meter;
}

const NAME = '@org/msgqueue';

/** A {@link Telemetry} over OpenTelemetry: spans per tick and per send, and the metrics above. */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  const tracer = options.tracer ?? trace.getTracer(NAME);
  const meter = options.meter ?? metrics.getMeter(NAME);
  const enqueued = meter.createCounter('msgqueue.messages.enqueued', { description: 'New messages stored', unit: '{message}' });
  const sent = meter.createCounter('msgqueue.messages.sent', { description: 'Messages delivered and acknowledged', unit: '{message}' });
  const failed = meter.createCounter('msgqueue.messages.failed', { description: 'Failed send attempts', unit: '{message}' });
  const held = meter.createCounter('msgqueue.messages.held', { description: 'Messages held for review', unit: '{message}' });
  const claimDuration = meter.createHistogram('msgqueue.claim.duration', { description: 'One claim round trip', unit: 'ms' });
  const sendDuration = meter.createHistogram('msgqueue.send.duration', { description: 'One send', unit: 'ms' });
  const backlog = meter.createObservableGauge('msgqueue.backlog', {
    description: 'PENDING messages due, as of the last diagnose',
    unit: '{message}',
  });
  const due = new Map<string, number>();
  backlog.addCallback((result) => {
    for (const [queue, n] of due) result.observe(n, { 'msgqueue.queue': queue });
  });

  return {
    tick(queue, run) {
      const attributes = { 'messaging.system': 'msgqueue', 'msgqueue.queue': queue };
      return tracer.startActiveSpan('msgqueue.tick', { kind: SpanKind.INTERNAL, attributes }, async (span) => {
        try {
          const s = await run();
          span.setAttributes({
            'msgqueue.skipped': s.skipped ?? 'no',
            'msgqueue.batches': s.batches,
            'msgqueue.claimed': s.claimed,
            'msgqueue.sent': s.sent,
            'msgqueue.retried': s.retried,
            'msgqueue.failed': s.failed,
            'msgqueue.held': s.held,
            'msgqueue.released': s.released,
            'msgqueue.stale_claims': s.staleClaims,
            'msgqueue.storage_errors': s.storageErrors,
          });
          if (s.storageErrors > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${s.storageErrors} storage error(s)` });
          return s;
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
          throw error;
        } finally {
          span.end();
        }
      });
    },

    send(queue, messages, run) {
      const first = messages[0];
      const attributes = {
        'messaging.system': 'msgqueue',
        'msgqueue.queue': queue,
        'messaging.batch.message_count': messages.length,
        ...(messages.length === 1 && first
          ? { 'messaging.message.id': first.id, 'msgqueue.attempt': first.attempts, 'msgqueue.possibly_sent': first.possiblySent }
          : {}),
      };
      return tracer.startActiveSpan('msgqueue.send', { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const started = performance.now();
        try {
          const result = await run();
          sendDuration.record(performance.now() - started, { 'msgqueue.queue': queue, 'msgqueue.outcome': 'ok' });
          return result;
        } catch (error) {
          sendDuration.record(performance.now() - started, { 'msgqueue.queue': queue, 'msgqueue.outcome': 'error' });
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
          throw error;
        } finally {
          span.end();
        }
      });
    },

    hooksFor(queue): QueueHooks {
      const q = { 'msgqueue.queue': queue };
      return {
        enqueued: (e) => e.ids.length > 0 && enqueued.add(e.ids.length, q),
        claimed: (e) => claimDuration.record(e.durationMs, q),
        sent: () => sent.add(1, q),
        failed: (e) => failed.add(1, { ...q, 'msgqueue.outcome': e.outcome }),
        held: () => held.add(1, q),
        diagnosed: (r) => void due.set(queue, r.duePending),
      };
    },
  };
}
