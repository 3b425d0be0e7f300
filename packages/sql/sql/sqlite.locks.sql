-- @org/msgqueue-sql: the run-lock table "msgqueue_locks" alone (sqlite).
CREATE TABLE IF NOT EXISTS "msgqueue_locks" (
  "name"       TEXT     NOT NULL PRIMARY KEY,
  "owner"      TEXT     NOT NULL,
  "expires_at" DATETIME NOT NULL
);
