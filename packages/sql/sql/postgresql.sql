-- @org/msgqueue-sql: PostgreSQL schema (tables "msgqueue_messages", "msgqueue_locks" and "msgqueue_gates").
CREATE TABLE IF NOT EXISTS "msgqueue_messages" (
  "id"            varchar(191) PRIMARY KEY,
  "queue"         varchar(191) NOT NULL DEFAULT 'default',
  "status"        varchar(32)  NOT NULL DEFAULT 'PENDING',
  "payload"       jsonb        NOT NULL,
  "attempts"      integer      NOT NULL DEFAULT 0,
  "priority"      integer      NOT NULL DEFAULT 0,
  "available_at"  timestamptz(3) NOT NULL DEFAULT now(),
  "dedupe_key"    varchar(191),
  "group_key"     varchar(191),
  "claim_token"   varchar(64),
  "lease_until"   timestamptz(3),
  "possibly_sent" boolean      NOT NULL DEFAULT false,
  "last_error"    text,
  "created_at"    timestamptz(3) NOT NULL DEFAULT now(),
  "updated_at"    timestamptz(3) NOT NULL DEFAULT now()
);
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
CREATE TABLE IF NOT EXISTS "msgqueue_locks" (
  "name"       varchar(191) PRIMARY KEY,
  "owner"      varchar(64)  NOT NULL,
  "expires_at" timestamptz(3) NOT NULL
);
CREATE TABLE IF NOT EXISTS "msgqueue_gates" (
  "queue"      varchar(191) NOT NULL,
  "gate_key"   varchar(191) NOT NULL DEFAULT '',
  "paused"     boolean      NOT NULL DEFAULT false,
  "paused_until" timestamptz(3),
  "note"       varchar(500),
  "updated_at" timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("queue", "gate_key")
);
