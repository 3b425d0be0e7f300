#!/usr/bin/env node
/**
 * The same three deliberate bugs as model/mutants.sh, made in the real code — the memory adapter and
 * the SQL engine — and the model-based tests (packages/conformance/src/suites/model-based.ts) run
 * against each: every mutant must fail them, with the shrunk schedule fast-check prints. The sources
 * are restored after each, whatever happens.
 *
 *   node model/mutants-code.mjs          (PostgreSQL from DATABASE_URL or embedded, SQLite, MariaDB with MARIADB_URL)
 *
 * Exits non-zero when a mutant survives.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MEMORY = 'packages/core/src/memory/memory-adapter.ts';

const MUTANTS = [
  {
    name: 'ack without the claim-token condition',
    patches: [
      [
        MEMORY,
        'if (!owned(row, token, from)) return refused(id);',
        "if (!(to === 'SENT' ? !!row && from.includes(row.status) : owned(row, token, from))) return refused(id);",
      ],
      [
        'packages/sql/src/operations/fenced.ts',
        'return cas(db, t, r.id, { set, where: ownedBy(t, r.id, r.token, r.from) });',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the SQL engine's source, as text to patch in.
        "return cas(db, t, r.id, { set, where: r.to === 'SENT' ? sql`${t.col('id')} = ${r.id} AND ${t.statusIn(r.from)}` : ownedBy(t, r.id, r.token, r.from) });",
      ],
    ],
  },
  {
    name: 'recycle takes a SENDING row back to PENDING in at-most-once',
    patches: [
      [MEMORY, "if (maybeSent && deliveryMode === 'at-most-once') {", 'if (false) {'],
      [
        'packages/sql/src/operations/recycle.ts',
        "const hold = maybeSent && deliveryMode === 'at-most-once';",
        'const hold = false && deliveryMode;',
      ],
    ],
  },
  {
    name: 'claim ignores groups',
    patches: [
      [MEMORY, '.filter((r) => r.groupKey === null || heads.get(r.groupKey) === r)', '.filter(() => heads !== undefined)'],
      ['packages/sql/src/table.ts', "    if (!this.has('groupKey')) return raw('1 = 1');", "    if (policy) return raw('1 = 1');"],
    ],
  },
];

/** The model-based tests: on the memory adapter (unit) and on the SQL engine over every database (db). */
const RUNS = [
  ['unit', 'packages/conformance/test/memory.test.ts'],
  ['db', 'packages/sql/test/conformance.db.test.ts'],
];

let survived = 0;
for (const mutant of MUTANTS) {
  const saved = new Map();
  try {
    for (const [file, from, to] of mutant.patches) {
      const current = readFileSync(`${root}/${file}`, 'utf8');
      if (!saved.has(file)) saved.set(file, current);
      if (!current.includes(from)) throw new Error(`${file}: the code to break is no longer there: ${from}`);
      writeFileSync(`${root}/${file}`, current.replace(from, to));
    }
    for (const [project, file] of RUNS) {
      const run = spawnSync('npx', ['vitest', 'run', '--project', project, file, '-t', 'model-based'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', MSGQUEUE_MODEL_RUNS: process.env.MSGQUEUE_MODEL_RUNS ?? '300' },
      });
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences of a coloured terminal.
      const out = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      if (run.status === 0) {
        survived++;
        console.log(`SURVIVED: ${mutant.name} — the model-based tests on ${file} passed`);
        continue;
      }
      const failures = [...out.matchAll(/FAIL .*?model-based[^\n]*> ([^\n]+)/g)].map((m) => m[1]);
      const schedule = out.match(/(at-(?:least|most)-once) schedule:\n((?: {2}[^\n]+\n)+)/);
      console.log(`caught: ${mutant.name} — ${file} (${failures.length} failing: ${[...new Set(failures)].slice(0, 3).join('; ')})`);
      if (schedule) console.log(`  shrunk ${schedule[1]} schedule:\n${schedule[2].replace(/^/gm, '  ')}`);
    }
  } finally {
    for (const [file, text] of saved) writeFileSync(`${root}/${file}`, text);
  }
}
process.exit(survived > 0 ? 1 : 0);
