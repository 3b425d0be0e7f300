-- @org/msgqueue-sql: the run-lock table "msgqueue_locks" alone (mysql).
CREATE TABLE IF NOT EXISTS `msgqueue_locks` (
  `name`       VARCHAR(191) NOT NULL,
  `owner`      VARCHAR(64)  NOT NULL,
  `expires_at` DATETIME(3)  NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
