// The declaration files of the published entries, one source file at a time
// (`ts.transpileDeclaration`, TypeScript's isolated declarations): no type
// checker, so no whole-program analysis per entry. rollup-plugin-dts then
// bundles them as plain .d.ts files. `npm test` type-checks the sources
// (`tsc --noEmit`). An exported value whose type would have to be inferred
// cannot be declared this way (annotate it: `export const x: number = ...`):
// writeDeclarations throws, naming each one.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const OPTIONS = {
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  verbatimModuleSyntax: true,
};

/**
 * Writes the .d.ts of `entry` and of every source file its declarations
 * import (relative imports, followed from file to file) below `outDir`,
 * mirroring their place under `root`. Returns the entry's .d.ts path.
 * Throws with every file's problems when one cannot be declared in isolation.
 */
export function writeDeclarations(entry, root, outDir) {
  const todo = [resolve(entry)];
  const seen = new Set();
  const problems = [];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const { outputText, diagnostics = [] } = ts.transpileDeclaration(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: OPTIONS,
      reportDiagnostics: true,
    });
    for (const d of diagnostics) {
      const at =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const where = at
        ? `${relative('.', file)}:${at.line + 1}:${at.character + 1}`
        : relative('.', file);
      problems.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
    const out = join(outDir, relative(root, file)).replace(/\.ts$/, '.d.ts');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
    for (const [, spec] of outputText.matchAll(
      /(?:\bfrom|\bimport\s*\()\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    ))
      todo.push(resolve(dirname(file), spec.endsWith('.ts') ? spec : `${spec}.ts`));
  }
  if (problems.length)
    throw new Error(`declarations of ${entry} need explicit types:\n  ${problems.join('\n  ')}`);
  return join(outDir, relative(root, resolve(entry))).replace(/\.ts$/, '.d.ts');
}
