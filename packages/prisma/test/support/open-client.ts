/** Open a generated PrismaClient for a provider and URL (used by worker processes). */
import type { Provider } from '../../src/index.js';

export async function openClient(provider: Provider, url: string, pool = 2) {
  if (provider === 'postgresql') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { PrismaClient } = await import('../generated/postgresql/client.js');
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: pool }) });
  }
  if (provider === 'mysql') {
    const { PrismaMariaDb } = await import('@prisma/adapter-mariadb');
    const { PrismaClient } = await import('../generated/mysql/client.js');
    const u = new URL(url);
    return new PrismaClient({
      adapter: new PrismaMariaDb({
        host: u.hostname,
        port: Number(u.port || 3306),
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: u.pathname.slice(1),
        connectionLimit: pool,
      }),
    });
  }
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const { PrismaClient } = await import('../generated/sqlite/client.js');
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url, timeout: 20_000 }) });
}
