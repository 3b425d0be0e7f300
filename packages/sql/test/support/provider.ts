/**
 * A fake provider for the worker-process tests: an HTTP server on a free port that hands each
 * request's JSON body to `receive` and answers 200 once it resolves.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestProvider {
  /** Where workers post their messages. */
  url: string;
  close(): Promise<void>;
}

export async function startProvider(receive: (body: unknown) => void | Promise<void>): Promise<TestProvider> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      await receive(JSON.parse(body) as unknown);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
