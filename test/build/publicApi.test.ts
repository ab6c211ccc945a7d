// What the published types show is the API (npm test builds first). The API
// report, docs/api.md, is dist/likewise.d.ts without its comments: a change of
// the public surface shows in review as a change of that file. After such a
// change on purpose, rewrite it with `npm run api`.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const dts = resolve(__dirname, '../../dist/likewise.d.ts');

/**
 * Names of the SDK's insides: how an instance is wired (context, parts,
 * injected platform), storage, the model loader's and the engine's working
 * structures. None is something a shop calls or gets back.
 */
const INTERNAL = [
  'LikewiseContext',
  'LikewiseCore',
  'LikewiseDeps',
  'LikewiseParts',
  'Extras',
  'TrackerOptions',
  'StoreDeps',
  'EventStore',
  'StateStore',
  'Connection',
  'Catalog',
  'Metrics',
  'MetricsHost',
  'OutboxDeps',
  'ModelService',
  'ModelClient',
  'UserRows',
  'MatrixDraft',
];

let source: ts.SourceFile;
beforeAll(() => {
  if (!existsSync(dts)) throw new Error('missing dist/likewise.d.ts: run `npm run build` first');
  source = ts.createSourceFile('likewise.d.ts', readFileSync(dts, 'utf8'), ts.ScriptTarget.Latest);
});

/** The declarations without comments, as one TypeScript block of docs/api.md. */
function report(file: ts.SourceFile): string {
  const body = ts.createPrinter({ removeComments: true }).printFile(file);
  return [
    '# The public API of likewise',
    '',
    'The declarations of `dist/likewise.d.ts` without their comments (the',
    'README and the TSDoc say what each does). `npm test` fails when this file',
    'differs from the build; after a change of the API on purpose, rewrite it',
    'with `npm run api`.',
    '',
    '```ts',
    body.trimEnd(),
    '```',
    '',
  ].join('\n');
}

/** Top-level names the file declares, and those it exports. */
function names(file: ts.SourceFile) {
  const declared = new Set<string>();
  const exported = new Set<string>();
  for (const node of file.statements) {
    if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause))
      for (const e of node.exportClause.elements) exported.add((e.propertyName ?? e.name).text);
    else if (ts.isVariableStatement(node))
      for (const d of node.declarationList.declarations)
        declared.add((d.name as ts.Identifier).text);
    else if ('name' in node && node.name && ts.isIdentifier(node.name as ts.Node))
      declared.add((node.name as ts.Identifier).text);
  }
  return { declared, exported };
}

describe('the published types', () => {
  it('match the API report, docs/api.md', async () => {
    await expect(report(source)).toMatchFileSnapshot('../../docs/api.md');
  });

  it('declare nothing a shop cannot name: every type they use is exported', () => {
    const { declared, exported } = names(source);
    expect(exported.size).toBeGreaterThan(20);
    expect([...declared].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('hold no internal name', () => {
    const text = ts.createPrinter({ removeComments: true }).printFile(source);
    expect(INTERNAL.filter((name) => new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
  });
});
