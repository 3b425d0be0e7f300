-- @org/msgqueue-sql: named queues in one table (sqlite), for a "msgqueue_messages" made by an earlier schemaSql().
CREATE TABLE "msgqueue_messages_named_queues" (
  "id"            TEXT     NOT NULL PRIMARY KEY,
  "queue"         TEXT     NOT NULL DEFAULT 'default',
  "status"        TEXT     NOT NULL DEFAULT 'PENDING',
  "payload"       TEXT     NOT NULL,
  "attempts"      INTEGER  NOT NULL DEFAULT 0,
  "priority"      INTEGER  NOT NULL DEFAULT 0,
  "available_at"  DATETIME NOT NULL,
  "dedupe_key"    TEXT,
  "group_key"     TEXT,
  "claim_token"   TEXT,
  "lease_until"   DATETIME,
  "possibly_sent" BOOLEAN  NOT NULL DEFAULT false,
  "last_error"    TEXT,
  "created_at"    DATETIME NOT NULL,
  "updated_at"    DATETIME NOT NULL
);
INSERT INTO "msgqueue_messages_named_queues" ("id", "status", "payload", "attempts", "priority", "available_at", "dedupe_key", "group_key", "claim_token", "lease_until", "possibly_sent", "last_error", "created_at", "updated_at") SELECT "id", "status", "payload", "attempts", "priority", "available_at", "dedupe_key", "group_key", "claim_token", "lease_until", "possibly_sent", "last_error", "created_at", "updated_at" FROM "msgqueue_messages";
DROP TABLE "msgqueue_messages";
ALTER TABLE "msgqueue_messages_named_queues" RENAME TO "msgqueue_messages";
-- Dedupe keys are per queue.
CREATE UNIQUE INDEX IF NOT EXISTS "msgqueue_messages_dedupe_idx" ON "msgqueue_messages" ("queue", "dedupe_key");
CREATE INDEX IF NOT EXISTS "msgqueue_messages_claim_idx" ON "msgqueue_messages" ("queue", "priority", "available_at", "id") WHERE "status" = 'PENDING';
CREATE INDEX IF NOT EXISTS "msgqueue_messages_lease_idx" ON "msgqueue_messages" ("queue", "status", "lease_until");
CREATE INDEX IF NOT EXISTS "msgqueue_messages_status_updated_idx" ON "msgqueue_messages" ("queue", "status", "updated_at");
CREATE INDEX IF NOT EXISTS "msgqueue_messages_group_idx" ON "msgqueue_messages" ("group_key", "created_at", "id") WHERE "group_key" IS NOT NULL;
