/**
 * The `msgqueue` command line: commander parses it (subcommands, `--help` for each, unknown flags
 * refused — the most used parser on npm, no dependencies, typed), cli-table3 draws the tables and
 * picocolors colours them (off with NO_COLOR, --no-color or when the output is not a terminal).
 *
 * Exit codes: 0 done (diagnose: healthy); 1 diagnose found an alert, or an action left some messages
 * alone; 2 usage, configuration or connection error — one line on stderr, nothing changed.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { cancelCommand, markSentCommand, purgeCommand, releaseStuckCommand, retryCommand } from './commands/actions.js';
import { diagnoseCommand } from './commands/diagnose.js';
import { gatesCommand, pauseCommand, resumeCommand } from './commands/gates.js';
import type { GlobalFlags, Io } from './commands/shared.js';
import { sqlCommand } from './commands/sql.js';
import { scrub, secretsOf } from './connect.js';
import { UsageError } from './errors.js';

/** This package's version (package.json sits one folder up from both src/ and dist/). */
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const SOURCE_HELP = `
Where the queues come from:
  a msgqueue.config.ts in the current directory (or --config), exporting your app's queues:
    import { defineConfig } from '@org/msgqueue-cli';
    export default defineConfig({ queues: [outgoing, incoming], close: () => prisma.$disconnect() });
  or --database-url (else DATABASE_URL) for msgqueue's default table (--table for another), through
  pg, mysql2 or better-sqlite3 — whichever your app already has. Every queue the table holds is
  reported unless --queue names one; an action on a table of several queues needs --queue.

Exit codes: 0 done / healthy · 1 an alert, or messages left alone · 2 usage or connection error.`;

/** Run the CLI on `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: string[], given: Io): Promise<number> {
  // No part of a database password is ever printed: whatever a driver's error echoes is scrubbed.
  const secrets = [...secretsOf(urlFlag(argv)), ...secretsOf(process.env.DATABASE_URL)];
  const io: Io = { ...given, out: (text) => given.out(scrub(text, secrets)), err: (text) => given.err(scrub(text, secrets)) };
  let code = 0;
  const program = new Command('msgqueue')
    .version(version, '-V, --version', 'print the version of msgqueue')
    .description('Diagnose and operate a msgqueue message table: what is stuck, failed or held, and what to do about it.')
    .option('-c, --config <file>', 'the config file exporting your queues (default: ./msgqueue.config.ts)')
    .option('--database-url <url>', 'connect to this database instead of a config file (postgres://, mysql://, file:…)')
    .addOption(
      new Option('--dialect <name>', 'the database of --database-url, when its scheme does not say').choices([
        'postgresql',
        'mysql',
        'sqlite',
      ]),
    )
    .option('--table <name>', 'with --database-url: the messages table (default msgqueue_messages)')
    .option('-q, --queue <name>', 'the queue to work on (default: every queue; an action needs one when there are several)')
    .option('--json', 'print JSON instead of tables')
    .option('--no-color', 'no colours (also NO_COLOR=1, or when the output is not a terminal)')
    .addHelpText('after', SOURCE_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
      // A usage error is one line, with where to look.
      outputError: (s, write) => write(`msgqueue: ${s.trim().replace(/^error: /, '')} (see msgqueue --help)`),
    });
  const globals = () => program.opts<GlobalFlags>();

  program
    .command('diagnose')
    .description('counts, ages, stuck, failed and held messages, and what to do; exit 1 when something needs a person')
    .option('--in-flight <duration>', 'alert when a message has been in flight longer than this (default 30m)')
    .option('--failed-threshold <n>', 'alert when more messages than this failed in the window (default 10)')
    .option('--failed-window <duration>', 'the window for counting failures (default 24h)')
    .option('--samples <n>', 'sample rows per problem (default 5)')
    .action(async (flags) => {
      code = await diagnoseCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('release-stuck')
    .description('free messages stuck in PROCESSING or SENDING (a dry run unless --execute)')
    .option('--ids <ids>', 'these messages (comma-separated)')
    .option('--older-than <duration>', 'messages unchanged for at least this long (default 0s: every one in flight)')
    .option('--force', 'also messages whose lease is still running: you know their worker is dead')
    .addOption(new Option('--sending <what>', 'what a SENDING message (maybe delivered) becomes').choices(['resend', 'hold', 'sent']))
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--execute', 'apply the plan; without it, only print it')
    .action(async (flags) => {
      code = await releaseStuckCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('retry')
    .description('FAILED (or HELD) messages back to PENDING, attempts reset (a dry run unless --execute)')
    .option('--status <statuses>', 'FAILED, HELD or FAILED,HELD (default FAILED)')
    .option('--ids <ids>', 'these messages (comma-separated)')
    .option('--older-than <duration>', 'only those unchanged for at least this long')
    .option('--error-contains <text>', 'only those whose last error contains this text (case-sensitive)')
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--execute', 'apply the plan; without it, only print it')
    .action(async (flags) => {
      code = await retryCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('mark-sent')
    .description('the provider confirms these HELD messages arrived: mark them SENT (a dry run unless --execute)')
    .argument('<ids...>', 'message ids')
    .option('--allow-failed', 'FAILED messages too (the provider confirms they arrived after all)')
    .option('--execute', 'apply the plan; without it, only print it')
    .action(async (ids: string[], flags) => {
      code = await markSentCommand(ids, { ...globals(), ...flags }, io);
    });

  program
    .command('purge')
    .description('delete finished messages older than --older-than (a dry run unless --execute)')
    .option('--older-than <duration>', 'required: e.g. 30d')
    .option('--status <statuses>', 'SENT, FAILED, CANCELLED or a list such as SENT,FAILED (default SENT)')
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--execute', 'apply the plan; without it, only print it')
    .action(async (flags) => {
      code = await purgeCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('cancel')
    .description('PENDING messages (due or delayed) never to be sent: CANCELLED (a dry run unless --execute)')
    .option('--ids <ids>', 'these messages (comma-separated)')
    .option('--group <group-key>', 'every PENDING message of this group key')
    .option('--older-than <duration>', 'only those unchanged for at least this long (0s: every PENDING message)')
    .option('--error-contains <text>', 'only those whose last error contains this text (case-sensitive)')
    .option('--note <text>', 'why, recorded in each message (lastError "cancelled: …")')
    .option('--limit <n>', 'at most this many (default 1000)')
    .option('--execute', 'apply the plan; without it, only print it')
    .action(async (flags) => {
      code = await cancelCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('pause')
    .description('stop every process claiming from the queue (or one group key) until resume, or --for a while; sends in flight finish')
    .option('--key <group-key>', 'pause this group key only')
    .option('--for <duration>', "only for a while (e.g. 5m, as a provider's Retry-After asks); it opens on its own")
    .option('--note <text>', 'why, shown by diagnose and gates')
    .action(async (flags) => {
      code = await pauseCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('resume')
    .description('resume a paused queue (or group key), a pause --for a while included')
    .option('--key <group-key>', 'resume this group key only')
    .action(async (flags) => {
      code = await resumeCommand({ ...globals(), ...flags }, io);
    });

  program
    .command('gates')
    .description('list the paused gates of each queue, and until when')
    .action(async () => {
      code = await gatesCommand(globals(), io);
    });

  program
    .command('sql')
    .description("print the schema for a database: tables and the claim's partial indexes")
    .argument('<dialect>', 'postgresql, mysql or sqlite')
    .option('--table <name>', 'the messages table (default msgqueue_messages)')
    .option('--gates', 'only the gates table (pause, resume, rate limits), for an installation that predates it')
    .action((dialect: string, flags) => {
      code = sqlCommand(dialect, { ...flags, ...(globals().table ? { table: globals().table } : {}) }, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.err(`msgqueue: ${error.message}`);
      return 2;
    }
    io.err(`msgqueue: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`);
    return 2;
  }
}

/** The value of --database-url in `argv`, before the parser runs (its own errors are scrubbed too). */
function urlFlag(argv: string[]): string | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--database-url') return argv[i + 1];
    if (arg.startsWith('--database-url=')) return arg.slice('--database-url='.length);
  }
  return undefined;
}
