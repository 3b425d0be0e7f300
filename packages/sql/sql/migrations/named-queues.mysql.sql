-- @org/msgqueue-sql: named queues in one table (mysql), for a "msgqueue_messages" made by an earlier schemaSql().
ALTER TABLE `msgqueue_messages`
  ADD COLUMN `queue` VARCHAR(191) NOT NULL DEFAULT 'default' AFTER `id`,
  DROP INDEX `msgqueue_messages_dedupe_key`,
  ADD UNIQUE KEY `msgqueue_messages_dedupe_key` (`queue`, `dedupe_key`),
  DROP INDEX `msgqueue_messages_claim_idx`,
  ADD KEY `msgqueue_messages_claim_idx` (`queue`, `status`, `priority`, `available_at`, `id`),
  DROP INDEX `msgqueue_messages_lease_idx`,
  ADD KEY `msgqueue_messages_lease_idx` (`queue`, `status`, `lease_until`),
  DROP INDEX `msgqueue_messages_status_updated_idx`,
  ADD KEY `msgqueue_messages_status_updated_idx` (`queue`, `status`, `updated_at`);
