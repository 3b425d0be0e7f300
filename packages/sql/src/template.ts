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

/** A statement ready for a client: its text, its parameters, and the text between them. */
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
}

/** Render a fragment with `placeholder(n)` for the n-th (1-based) parameter. */
export function render(fragment: Sql, placeholder: (n: number) => string): Statement {
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
  return { text, values, strings };
}
