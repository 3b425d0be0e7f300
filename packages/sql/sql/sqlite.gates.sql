-- @org/msgqueue-sql: the gates table "msgqueue_gates" alone (sqlite).
CREATE TABLE IF NOT EXISTS "msgqueue_gates" (
  "queue"      TEXT     NOT NULL,
  "gate_key"   TEXT     NOT NULL DEFAULT '',
  "paused"     BOOLEAN  NOT NULL DEFAULT false,
  "paused_until" DATETIME,
  "note"       TEXT,
  "updated_at" DATETIME NOT NULL,
  PRIMARY KEY ("queue", "gate_key")
);
