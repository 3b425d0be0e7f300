/**
 * `openTelemetry()` with the SDK's in-memory exporters: a tick's spans and metrics are what happened
 * — one tick span, one child span per send (a failed one marked as an error), counters and
 * histograms matching the run summary, the backlog as of the last diagnose.
 */

import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createQueue, ManualClock, memoryAdapter, PermanentSendError } from '@org/msgqueue';
import { openTelemetry } from '@org/msgqueue/opentelemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('openTelemetry()', () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(async () => {
    context.disable();
    await meterProvider.shutdown();
    await tracerProvider.shutdown();
  });

  /** The data points of a metric, by name, from a fresh collection. */
  async function points(name: string) {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: unknown }[];
  }

  it('a tick: its span, a child span per send, counters and histograms that match the summary', async () => {
    const telemetry = openTelemetry({ tracer: tracerProvider.getTracer('test'), meter: meterProvider.getMeter('test') });
    const q = createQueue<string>({ adapter: memoryAdapter({ clock: new ManualClock().now }), name: 'outgoing', telemetry });
    await q.enqueueMany(['a', 'b', 'refused'].map((payload) => ({ payload })));
    const summary = await q.runOnce({
      concurrency: 3,
      send: async (m) => {
        if (m.payload === 'refused') throw new PermanentSendError('invalid recipient');
      },
    });
    expect(summary).toMatchObject({ sent: 2, failed: 1 });

    const finished = spans.getFinishedSpans();
    const tick = finished.find((s) => s.name === 'msgqueue.tick')!;
    const sends = finished.filter((s) => s.name === 'msgqueue.send');
    expect(tick.attributes).toMatchObject({
      'msgqueue.queue': 'outgoing',
      'msgqueue.claimed': 3,
      'msgqueue.sent': 2,
      'msgqueue.failed': 1,
    });
    expect(sends).toHaveLength(3);
    for (const s of sends) expect(s.parentSpanContext?.spanId).toBe(tick.spanContext().spanId);
    const failedSend = sends.find((s) => s.status.code === SpanStatusCode.ERROR)!;
    expect(failedSend.status.message).toMatch(/invalid recipient/);
    expect(failedSend.events.map((e) => e.name)).toContain('exception');
    expect(sends.filter((s) => s.status.code !== SpanStatusCode.ERROR)).toHaveLength(2);

    const q1 = { 'msgqueue.queue': 'outgoing' };
    expect(await points('msgqueue.messages.enqueued')).toEqual([expect.objectContaining({ attributes: q1, value: 3 })]);
    expect(await points('msgqueue.messages.sent')).toEqual([expect.objectContaining({ attributes: q1, value: 2 })]);
    expect(await points('msgqueue.messages.failed')).toEqual([
      expect.objectContaining({ attributes: { ...q1, 'msgqueue.outcome': 'failed' }, value: 1 }),
    ]);
    const sendHistogram = await points('msgqueue.send.duration');
    expect(sendHistogram.map((p) => [p.attributes['msgqueue.outcome'], (p.value as { count: number }).count]).sort()).toEqual([
      ['error', 1],
      ['ok', 2],
    ]);
    // One claim: it came back with fewer than the limit, so the tick knew nothing more was due.
    expect((await points('msgqueue.claim.duration')).map((p) => (p.value as { count: number }).count)).toEqual([1]);
  });

  it('the backlog gauge reports due messages as of the last diagnose', async () => {
    const telemetry = openTelemetry({ tracer: tracerProvider.getTracer('test'), meter: meterProvider.getMeter('backlog') });
    const q = createQueue({ adapter: memoryAdapter({ clock: new ManualClock().now }), name: 'incoming', telemetry });
    await q.enqueueMany([1, 2, 3, 4].map((n) => ({ payload: { n } })));
    await q.diagnose();
    const gauge = (await points('msgqueue.backlog')).find((p) => p.attributes['msgqueue.queue'] === 'incoming');
    expect(gauge?.value).toBe(4);
  });

  it('off by default: a queue without telemetry records nothing', async () => {
    spans.reset();
    const q = createQueue({ adapter: memoryAdapter() });
    await q.enqueue({});
    await q.runOnce({ send: async () => {} });
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});
