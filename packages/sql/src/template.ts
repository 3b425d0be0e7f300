/**
 * A small tagged template for SQL: `sql\`… ${value} …\`` keeps every interpolated value as a bound
 * parameter, splices nested fragments in place, and renders once, at the end, with the dialect's
 * placeholders (`$1…` or `?`) numbered in text order. No statement is built by appending to a
 * caller's parameter list, so MySQL's and SQLite's positional `?` always line up.
 */

/** A piece of SQL: literal text with parameters and nested fragments between its strings. */
export class Sql {
  /** @internal */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

/** A fragment whose values are parameters, or fragments spliced in place. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

/** Trusted literal text: quoted identifiers, validated status literals, keywords. Never user input. */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

/** Fragments separated by `separator` (a comma by default). */
export function join(fragments: readonly Sql[], separator = ', '): Sql {
  if (fragments.length === 0) return raw('');
  const strings = ['', ...Array.from({ length: fragments.length - 1 }, () => separator), ''];
  return new Sql(strings, fragments);
}

/**
 * A statement ready for a client: its text, its parameters, and the text between them.
 *
 * @category Writing a client
 */
export interface Statement {
  /** The SQL with the dialect's placeholders. */
  readonly text: string;
  /** Parameter values, in placeholder order. */
  readonly values: readonly unknown[];
  /**
   * The text around the parameters, `values.length + 1` pieces: for clients that bind parameters
   * their own way (Drizzle's `sql` template), `strings[0] value[0] strings[1] …`.
   */
  readonly strings: readonly string[];
  /**
   * Set on the statements the engine runs over and over (claim, guard, ack, recycle…), whose text
   * does not vary with the data: a client that supports named prepared statements (node-postgres)
   * may prepare it once per connection under this name, and skip the planning after.
   */
  readonly name?: string;
}

const names = new Map<string, string>();

/**
 * A stable name for a statement text: the same text always gets the same name, two texts never share one.
 *
 * @category Writing a client
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `msgqueue_${names.size + 1}`;
    if (names.size < 1000)
      names.set(text, name); // a bound: only the engine's fixed statements get here
    else return `msgqueue_x${hash(text)}`;
  }
  return name;
}

/** Two 32-bit FNV-1a hashes with different seeds (only for a text past the cache's bound). */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return `${a.toString(36)}${b.toString(36)}`;
}

/** Render a fragment with `placeholder(n)` for the n-th (1-based) parameter; `prepare` names it (see {@link Statement.name}). */
export function render(fragment: Sql, placeholder: (n: number) => string, prepare = false): Statement {
  const strings: string[] = [];
  const values: unknown[] = [];
  let last = '';
  const walk = (f: Sql): void => {
    for (let i = 0; i < f.strings.length; i++) {
      last += f.strings[i];
      if (i < f.values.length) {
        const v = f.values[i];
        if (v instanceof Sql) walk(v);
        else {
          strings.push(last);
          last = '';
          values.push(v);
        }
      }
    }
  };
  walk(fragment);
  strings.push(last);
  let text = strings[0]!;
  for (let i = 1; i < strings.length; i++) text += placeholder(i) + strings[i];
  return prepare ? { text, values, strings, name: statementName(text) } : { text, values, strings };
}
