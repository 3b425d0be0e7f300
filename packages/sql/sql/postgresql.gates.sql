-- @org/msgqueue-sql: the gates table "msgqueue_gates" alone (postgresql).
CREATE TABLE IF NOT EXISTS "msgqueue_gates" (
  "queue"      varchar(191) NOT NULL,
  "gate_key"   varchar(191) NOT NULL DEFAULT '',
  "paused"     boolean      NOT NULL DEFAULT false,
  "paused_until" timestamptz(3),
  "note"       varchar(500),
  "updated_at" timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("queue", "gate_key")
);
