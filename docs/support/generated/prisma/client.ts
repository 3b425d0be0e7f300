/**
 * `@/generated/prisma/client` in the guides: what `prisma generate` writes into an app from the
 * schema getting-started shows (the Next.js example's: conversations, messages and msgqueue's tables).
 */
export * from '../../../../examples/next-cron/generated/prisma/client';
