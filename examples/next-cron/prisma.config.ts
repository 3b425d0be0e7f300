// Prisma 7 reads the connection URL here (for `prisma migrate deploy`); the app passes it to its
// driver adapter itself (lib/db.ts).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
