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

/**
 * Literal texts and join separators, interned: the same text is the same object, so a statement
 * built twice from the same pieces has the same shape (see {@link render}'s cache). Bounded: past
 * the bound a fragment is made afresh (and its statements are rendered without the cache).
 */
const interned = new Map<string, readonly string[]>();
const INTERNED_MAX = 10_000;

function intern(key: string, make: () => readonly string[]): readonly string[] {
  let strings = interned.get(key);
  if (strings === undefined) {
    strings = make();
    if (interned.size < INTERNED_MAX) interned.set(key, strings);
  }
  return strings;
}

/** Trusted literal text: quoted identifiers, validated status literals, keywords. Never user input. */
export function raw(text: string): Sql {
  return new Sql(
    intern(`r${text}`, () => [text]),
    [],
  );
}

/** Fragments separated by `separator` (a comma by default). */
export function join(fragments: readonly Sql[], separator = ', '): Sql {
  if (fragments.length === 0) return raw('');
  const strings = intern(`j${fragments.length}:${separator}`, () => [
    '',
    ...Array.from({ length: fragments.length - 1 }, () => separator),
    '',
  ]);
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

/** A node of the shape cache: the next piece of a statement's shape, or the statement it ends in. */
interface Shape {
  next: Map<unknown, Shape>;
  done?: { text: string; strings: readonly string[]; name: string };
}

/** Marks a parameter in a statement's shape. */
const PARAM = Symbol('param');
const shapes = new WeakMap<(n: number) => string, Shape>();
let shapesKept = 0;
let shapeNodes = 0;
/** Bounds on the cache: statements kept, and pieces of shapes (past either, statements render as text). */
const SHAPES_MAX = 2_000;
const SHAPE_NODES_MAX = 200_000;

/**
 * Render a fragment with `placeholder(n)` for the n-th (1-based) parameter; `prepare` names it (see
 * {@link Statement.name}). A prepared statement's text does not vary with the data, only with its
 * shape — the template pieces it is built from (the same objects each time: template literals,
 * interned literals and separators) and where its parameters go — so its text and name are kept by
 * shape: the engine's hot statements are walked for their values, not rebuilt as text each time.
 */
export function render(fragment: Sql, placeholder: (n: number) => string, prepare = false): Statement {
  if (!prepare || shapeNodes > SHAPE_NODES_MAX) return renderText(fragment, placeholder, prepare);
  let shape = shapes.get(placeholder);
  if (!shape) {
    shape = { next: new Map() };
    shapes.set(placeholder, shape);
  }
  const values: unknown[] = [];
  const walk = (f: Sql): void => {
    shape = step(shape!, f.strings);
    for (let i = 0; i < f.values.length; i++) {
      const v = f.values[i];
      if (v instanceof Sql) walk(v);
      else {
        shape = step(shape!, PARAM);
        values.push(v);
      }
    }
  };
  walk(fragment);
  const leaf = shape;
  if (leaf.done) return { text: leaf.done.text, values, strings: leaf.done.strings, name: leaf.done.name };
  const rendered = renderText(fragment, placeholder, true);
  if (shapesKept < SHAPES_MAX) {
    shapesKept++;
    leaf.done = { text: rendered.text, strings: rendered.strings, name: rendered.name! };
  }
  return rendered;
}

function step(shape: Shape, key: unknown): Shape {
  let next = shape.next.get(key);
  if (!next) {
    next = { next: new Map() };
    shape.next.set(key, next);
    shapeNodes++;
  }
  return next;
}

function renderText(fragment: Sql, placeholder: (n: number) => string, prepare: boolean): Statement {
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
