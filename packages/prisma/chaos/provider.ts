/**
 * The fake provider: an HTTP server in its own process that appends every delivery it accepts to a
 * log (JSON lines) before it answers. Its fault mode is set by the nemesis through POST /control:
 * - normal: accept, log, answer 200;
 * - slow: wait `delayMs` first; a client that gave up meanwhile is not delivered to;
 * - drop: accept and log, then cut the connection without answering (an ambiguous outcome);
 * - error: answer 503 without accepting;
 * - hold: accept and log the next request, then hold its answer until POST /release (GET /held
 *   tells whose request it is), so the nemesis can pause that worker certainly mid-send.
 * argv: logFile. Prints `{"port":N}` once listening.
 */
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';

type Mode = 'normal' | 'slow' | 'drop' | 'error' | 'hold';
const logFile = process.argv[2]!;
let mode: Mode = 'normal';
let delayMs = 0;
/** Every request takes a little time, as a real API's would. */
const LATENCY_MS = 25;
/** Workers with a request open right now (for the nemesis to pause one mid-send). */
const open = new Map<string, number>();
/** Requests still sitting out a slow wait (the nemesis lets them finish before its next fault). */
let slowPending = 0;
/** The request held open in `hold` mode, and the function that answers it. */
let held: { worker: string; id: string; token: string; release: () => void } | null = null;
const counts = { accepted: 0, abandoned: 0, dropped: 0, refused503: 0 };

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });

const server = createServer(async (req, res) => {
  if (req.url === '/control' && req.method === 'POST') {
    const c = JSON.parse(await body(req)) as { mode: Mode; delayMs?: number };
    mode = c.mode;
    delayMs = c.delayMs ?? 0;
    res.end(JSON.stringify({ ok: true }));
    return;
  }
  if (req.url === '/stats') {
    res.end(JSON.stringify(counts));
    return;
  }
  if (req.url === '/slow-pending') {
    res.end(JSON.stringify(slowPending));
    return;
  }
  if (req.url === '/held') {
    res.end(JSON.stringify(held && { worker: held.worker, id: held.id, token: held.token }));
    return;
  }
  if (req.url === '/release' && req.method === 'POST') {
    held?.release();
    held = null;
    res.end(JSON.stringify({ ok: true }));
    return;
  }
  if (req.url === '/inflight') {
    res.end(JSON.stringify([...open.entries()].filter(([, n]) => n > 0).map(([w]) => w)));
    return;
  }
  const worker = String(req.headers['x-worker']);
  open.set(worker, (open.get(worker) ?? 0) + 1);
  res.on('close', () => open.set(worker, (open.get(worker) ?? 1) - 1));
  const receivedAt = Date.now();
  const msg = JSON.parse(await body(req)) as Record<string, unknown>;
  let gone = false;
  res.on('close', () => {
    if (!res.writableFinished) gone = true;
  });
  const current = mode;
  if (current === 'hold') {
    mode = 'normal'; // one request only
    appendFileSync(logFile, `${JSON.stringify({ ...msg, worker, receivedAt, acceptedAt: Date.now(), fault: null })}\n`);
    counts.accepted++;
    await new Promise<void>((release) => {
      held = { worker, id: String(msg.id), token: String(msg.token), release };
    });
    if (!gone && !req.socket.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (current === 'error') {
    counts.refused503++;
    res.writeHead(503).end('unavailable');
    return;
  }
  if (current === 'slow') slowPending++;
  await new Promise((r) => setTimeout(r, current === 'slow' ? delayMs : LATENCY_MS));
  if (current === 'slow') slowPending--;
  if (gone || req.socket.destroyed) {
    counts.abandoned++;
    return;
  }
  const entry = {
    ...msg,
    worker: req.headers['x-worker'],
    receivedAt,
    acceptedAt: Date.now(),
    fault: current === 'normal' ? null : current,
  };
  appendFileSync(logFile, `${JSON.stringify(entry)}\n`);
  counts.accepted++;
  if (current === 'drop') {
    counts.dropped++;
    req.socket.destroy();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

server.keepAliveTimeout = 1_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
