-- @org/msgqueue-sql: the gates table "msgqueue_gates" alone (mysql).
CREATE TABLE IF NOT EXISTS `msgqueue_gates` (
  `queue`      VARCHAR(191) NOT NULL,
  `gate_key`   VARCHAR(191) NOT NULL DEFAULT '',
  `paused`     TINYINT(1)   NOT NULL DEFAULT 0,
  `paused_until` DATETIME(3)  NULL,
  `note`       VARCHAR(500) NULL,
  `updated_at` DATETIME(3)  NOT NULL,
  PRIMARY KEY (`queue`, `gate_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
