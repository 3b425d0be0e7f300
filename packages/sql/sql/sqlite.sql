-- @org/msgqueue-sql: SQLite schema (tables "msgqueue_messages", "msgqueue_locks" and "msgqueue_gates"). Times are text in Prisma's
-- format. Run the database in WAL mode with a busy timeout (see the package README).
CREATE TABLE IF NOT EXISTS "msgqueue_messages" (
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
-- Dedupe keys are per queue.
CREATE UNIQUE INDEX IF NOT EXISTS "msgqueue_messages_dedupe_idx" ON "msgqueue_messages" ("queue", "dedupe_key");
CREATE INDEX IF NOT EXISTS "msgqueue_messages_claim_idx" ON "msgqueue_messages" ("queue", "priority", "available_at", "id") WHERE "status" = 'PENDING';
CREATE INDEX IF NOT EXISTS "msgqueue_messages_lease_idx" ON "msgqueue_messages" ("queue", "status", "lease_until");
CREATE INDEX IF NOT EXISTS "msgqueue_messages_status_updated_idx" ON "msgqueue_messages" ("queue", "status", "updated_at");
CREATE INDEX IF NOT EXISTS "msgqueue_messages_group_idx" ON "msgqueue_messages" ("group_key", "created_at", "id") WHERE "group_key" IS NOT NULL;
CREATE TABLE IF NOT EXISTS "msgqueue_locks" (
  "name"       TEXT     NOT NULL PRIMARY KEY,
  "owner"      TEXT     NOT NULL,
  "expires_at" DATETIME NOT NULL
);
CREATE TABLE IF NOT EXISTS "msgqueue_gates" (
  "queue"      TEXT     NOT NULL,
  "gate_key"   TEXT     NOT NULL DEFAULT '',
  "paused"     BOOLEAN  NOT NULL DEFAULT false,
  "paused_until" DATETIME,
  "note"       TEXT,
  "updated_at" DATETIME NOT NULL,
  PRIMARY KEY ("queue", "gate_key")
);
