/**
 * The core's conformance suite over the engine's clients on one database: in full once per database
 * (node-postgres on PostgreSQL, Kysely on MariaDB and SQLite: the engine's rules), and the client's
 * part for every other client (its statements, values, transactions and errors). One test file per
 * database, so the three run side by side.
 */

import { runConformance } from '@org/msgqueue-conformance';
import type { SqlDialect } from '@org/msgqueue-sql';
import { it } from 'vitest';
import { hasMysql } from './drivers.js';
import { harness } from './harness.js';
import { targets } from './targets.js';

const FULL = ['pg:postgresql', 'kysely:mysql', 'kysely:sqlite'];

/** The suite over every client of `dialect` (MariaDB only with MARIADB_URL; otherwise one skipped test says so). */
export function conformanceOn(dialect: SqlDialect): void {
  if (dialect === 'mysql' && !hasMysql()) {
    it.skip('MARIADB_URL is not set: MariaDB is not tested on this run', () => {});
    return;
  }
  for (const target of targets().filter((t) => t.dialect === dialect)) {
    runConformance(harness(target), { claimers: 8, messages: 400, scope: FULL.includes(target.name) ? 'full' : 'client' });
  }
}
