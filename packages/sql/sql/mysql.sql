-- @org/msgqueue-sql: MySQL 8 / MariaDB 10.6+ schema (tables `msgqueue_messages`, `msgqueue_locks` and `msgqueue_gates`).
-- utf8mb4_bin: ids and dedupe keys compare exactly ('A' and 'a' are different keys).
CREATE TABLE IF NOT EXISTS `msgqueue_messages` (
  `id`            VARCHAR(191) NOT NULL,
  `queue`         VARCHAR(191) NOT NULL DEFAULT 'default',
  `status`        VARCHAR(32)  NOT NULL DEFAULT 'PENDING',
  `payload`       JSON         NOT NULL,
  `attempts`      INT          NOT NULL DEFAULT 0,
  `priority`      INT          NOT NULL DEFAULT 0,
  `available_at`  DATETIME(3)  NOT NULL,
  `dedupe_key`    VARCHAR(191) NULL,
  `group_key`     VARCHAR(191) NULL,
  `claim_token`   VARCHAR(64)  NULL,
  `lease_until`   DATETIME(3)  NULL,
  `possibly_sent` TINYINT(1)   NOT NULL DEFAULT 0,
  `last_error`    TEXT         NULL,
  `created_at`    DATETIME(3)  NOT NULL,
  `updated_at`    DATETIME(3)  NOT NULL,
  PRIMARY KEY (`id`),
  -- Dedupe keys are per queue.
  UNIQUE KEY `msgqueue_messages_dedupe_key` (`queue`, `dedupe_key`),
  -- InnoDB locks every row it scans: without this index a SKIP LOCKED claim scans, and locks, the table.
  KEY `msgqueue_messages_claim_idx` (`queue`, `status`, `priority`, `available_at`, `id`),
  KEY `msgqueue_messages_lease_idx` (`queue`, `status`, `lease_until`),
  KEY `msgqueue_messages_status_updated_idx` (`queue`, `status`, `updated_at`),
  KEY `msgqueue_messages_group_idx` (`group_key`, `created_at`, `id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS `msgqueue_locks` (
  `name`       VARCHAR(191) NOT NULL,
  `owner`      VARCHAR(64)  NOT NULL,
  `expires_at` DATETIME(3)  NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS `msgqueue_gates` (
  `queue`      VARCHAR(191) NOT NULL,
  `gate_key`   VARCHAR(191) NOT NULL DEFAULT '',
  `paused`     TINYINT(1)   NOT NULL DEFAULT 0,
  `paused_until` DATETIME(3)  NULL,
  `note`       VARCHAR(500) NULL,
  `updated_at` DATETIME(3)  NOT NULL,
  PRIMARY KEY (`queue`, `gate_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
