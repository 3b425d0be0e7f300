-- @org/msgqueue-sql: the run-lock table "msgqueue_locks" alone (postgresql).
CREATE TABLE IF NOT EXISTS "msgqueue_locks" (
  "name"       varchar(191) PRIMARY KEY,
  "owner"      varchar(64)  NOT NULL,
  "expires_at" timestamptz(3) NOT NULL
);
