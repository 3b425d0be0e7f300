/**
 * The model and the code in step: every write of the storage adapter contract has its step in the
 * Spin model (a `contract:` mark in model/msgqueue.pml) and its row in docs/protocol.md; reads and the
 * run lock are named there as outside the model. A new contract method fails this test until both say
 * what it is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The methods of `interface StorageAdapter`. */
function contractMethods(contract: string): string[] {
  const body = contract.slice(contract.indexOf('export interface StorageAdapter'));
  const end = body.indexOf('\n}');
  return [...body.slice(0, end).matchAll(/^ {2}([a-zA-Z]+)\??\(/gm)].map((m) => m[1]!);
}

/** The contract methods the model marks as carried out by one of its steps. */
const modelled = (model: string) => new Set([...model.matchAll(/contract: ([a-zA-Z, ]+)/g)].flatMap((m) => m[1]!.trim().split(/,\s*/)));

/** The contract methods named in the first column of the docs' mapping table. */
function documented(docs: string): Set<string> {
  const table = docs.slice(docs.indexOf('## The model and the code'));
  return new Set([...table.matchAll(/^\| ([^|]+)\|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-zA-Z]+)`/g)].map((n) => n[1]!)));
}

/** Reads (gates' too) and the tick lock: documented as outside the model, since they move no message. */
const OUTSIDE = [
  'snapshot',
  'get',
  'find',
  'queueNames',
  'gates',
  'listen',
  'acquireRunLock',
  'releaseRunLock',
  'takeSlots',
  'returnSlots',
  'slotsInUse',
];

function unaccounted(contract: string, model: string, docs: string) {
  const methods = contractMethods(contract);
  const marks = modelled(model);
  const rows = documented(docs);
  return {
    notInModel: methods.filter((m) => !OUTSIDE.includes(m) && !marks.has(m)),
    notInDocs: methods.filter((m) => !rows.has(m)),
    staleMarks: [...marks].filter((m) => !methods.includes(m)),
  };
}

describe('the protocol model and the contract', () => {
  const contract = read('packages/core/src/contract/adapter.ts');
  const model = read('model/msgqueue.pml');
  const docs = read('docs/protocol.md');

  it('every write of the contract has a step in the model and a row in docs/protocol.md', () => {
    expect(contractMethods(contract)).toEqual(expect.arrayContaining(['claim', 'guard', 'settle', 'recycle', 'operate']));
    expect(unaccounted(contract, model, docs)).toEqual({ notInModel: [], notInDocs: [], staleMarks: [] });
  });

  it('a method added to the contract alone fails the check', () => {
    const grown = contract.replace('  claim(', '  cancel(request: { id: string }): Promise<void>;\n  claim(');
    expect(unaccounted(grown, model, docs)).toEqual({ notInModel: ['cancel'], notInDocs: ['cancel'], staleMarks: [] });
  });

  it('each property of the model is named in the docs', () => {
    const properties = new Set([...model.matchAll(/\/\* (P\d) \*\//g)].map((m) => m[1]!));
    expect([...properties].sort()).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8']);
    for (const p of properties) expect(docs).toMatch(new RegExp(`^\\| ${p} +\\|`, 'm'));
  });
});
