// The build declares each published entry one source file at a time (fast);
// a file that cannot be declared that way sends the build down the slow,
// type-checked path with only a warning. This keeps the fast path taken.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without declarations of its own.
import { writeDeclarations } from '../../scripts/declarations.mjs';

const out = mkdtempSync(join(tmpdir(), 'likewise-declarations-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('declarations of the published entries', () => {
  it.each(['src/index.ts', 'src/node.ts'])(
    '%s is declared file by file, with no type inferred',
    (entry) => {
      expect(() => writeDeclarations(entry, 'src', out)).not.toThrow();
    },
  );

  it('names the file and line of an export whose type would need inferring', () => {
    const dir = mkdtempSync(join(out, 'bad-'));
    const file = join(dir, 'bad.ts');
    writeFileSync(file, 'export const inferred = [1, 2].map((n) => n * 2);\n');
    expect(() => writeDeclarations(file, dir, join(dir, 'out'))).toThrow(/bad\.ts:1:\d+/);
  });
});
