-- @org/msgqueue-sql: named queues in one table (postgresql), for a "msgqueue_messages" made by an earlier schemaSql().
ALTER TABLE "msgqueue_messages" ADD COLUMN IF NOT EXISTS "queue" varchar(191) NOT NULL DEFAULT 'default';
ALTER TABLE "msgqueue_messages" DROP CONSTRAINT IF EXISTS "msgqueue_messages_dedupe_key_key";
DROP INDEX IF EXISTS "msgqueue_messages_claim_idx";
DROP INDEX IF EXISTS "msgqueue_messages_lease_idx";
DROP INDEX IF EXISTS "msgqueue_messages_status_updated_idx";
-- Dedupe keys are per queue.
CREATE UNIQUE INDEX IF NOT EXISTS "msgqueue_messages_dedupe_idx" ON "msgqueue_messages" ("queue", "dedupe_key");
-- The claim reads one queue's due PENDING rows in claim order: a partial index holds only those,
-- so the claim stays O(batch) however many SENT rows the table keeps.
CREATE INDEX IF NOT EXISTS "msgqueue_messages_claim_idx" ON "msgqueue_messages" ("queue", "priority", "available_at", "id") WHERE "status" = 'PENDING';
-- The recycler and diagnose read in-flight rows by lease end.
CREATE INDEX IF NOT EXISTS "msgqueue_messages_lease_idx" ON "msgqueue_messages" ("queue", "lease_until") WHERE "status" IN ('PROCESSING', 'SENDING');
-- diagnose counts recent failures.
CREATE INDEX IF NOT EXISTS "msgqueue_messages_status_updated_idx" ON "msgqueue_messages" ("queue", "status", "updated_at");
-- Ordered groups: the claim probes a group's earlier rows in enqueue order.
CREATE INDEX IF NOT EXISTS "msgqueue_messages_group_idx" ON "msgqueue_messages" ("group_key", "created_at", "id") WHERE "group_key" IS NOT NULL;
