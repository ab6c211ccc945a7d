// The package as a shop installs it (npm test builds first): packed by npm,
// unpacked into a temporary project's node_modules, type-checked the ways
// TypeScript projects resolve packages, and checked by publint and
// @arethetypeswrong/cli. Offline: the dependencies are linked from ours.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const run = promisify(execFile);
const libDir = dirname(ts.getDefaultLibFilePath({}));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let dir: string;
let tarball: string;
let installed: string;

/** The README's npm example, as a shop would paste it into a TypeScript file. */
function readmeExample(readme: string): string {
  const section = readme.slice(readme.indexOf('\n## npm\n'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no ```ts block under "## npm"');
  return code;
}

/** A consumer project: `package.json` type, `tsconfig.json` options, one `index.ts`. */
function project(name: string, type: string, options: object, source: string): string {
  const at = join(dir, name);
  mkdirSync(at);
  writeFileSync(join(at, 'package.json'), JSON.stringify({ name, private: true, type }));
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    strict: true,
    noEmit: true,
    // Our declarations are checked; TypeScript's own lib files need not be.
    skipLibCheck: false,
    skipDefaultLibCheck: true,
    types: [],
    ...options,
  };
  writeFileSync(
    join(at, 'tsconfig.json'),
    JSON.stringify({ compilerOptions, files: ['index.ts'] }),
  );
  writeFileSync(join(at, 'index.ts'), source);
  return at;
}

// TypeScript's lib files, parsed once for every consumer (as an editor does).
const libs = new Map<string, ts.SourceFile | undefined>();

/** Type-checks a consumer project; returns tsc's messages (empty when clean). */
function typecheck(at: string): string {
  const host: ts.FormatDiagnosticsHost & ts.ParseConfigFileHost = {
    ...ts.sys,
    getCanonicalFileName: (f) => f,
    getNewLine: () => '\n',
    onUnRecoverableConfigFileDiagnostic: () => {},
  };
  const config = ts.getParsedCommandLineOfConfigFile(join(at, 'tsconfig.json'), {}, host);
  if (!config) throw new Error(`no tsconfig.json in ${at}`);
  const compiler = ts.createCompilerHost(config.options);
  const parse = compiler.getSourceFile;
  compiler.getSourceFile = (file, version, ...rest) => {
    if (!file.startsWith(libDir)) return parse(file, version, ...rest);
    const key = `${file} ${JSON.stringify(version)}`;
    if (!libs.has(key)) libs.set(key, parse(file, version, ...rest));
    return libs.get(key);
  };
  const program = ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    host: compiler,
  });
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host);
}

// Uses what a shop's TypeScript meets first: the factory, the error guard and
// the types of what the calls return.
const CJS_SOURCE = `import { createLikewise, isLikewiseError, type LikewiseEvent, type Recommendation } from 'likewise';

const lw = createLikewise({ site: 'shop', consent: 'pending' });
lw.track({ type: 'view', itemId: 'sku-1' }).catch((e: unknown) => {
  if (isLikewiseError(e, 'INVALID_EVENT')) console.warn(e.code, e.message);
});
export const first = (list: Recommendation[]): string | undefined => list[0]?.item.title;
export const ids = (events: LikewiseEvent[]): string[] => events.map((e) => e.id);
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'likewise-package-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  tarball = join(dir, packed.filename);
  installed = join(dir, 'node_modules/likewise');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components', '1']);
  for (const dep of Object.keys(pkg.dependencies))
    symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the builds, their types for import and require, the CLI, README and LICENSE', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/likewise.mjs',
      'dist/likewise.mjs',
      'dist/likewise.cjs',
      'dist/likewise.d.ts',
      'dist/likewise.d.cts',
      'dist/likewise.iife.js',
      'dist/likewise.widgets.mjs',
      'dist/cli.mjs',
    ])
      expect(files).toContain(`package/${f}`);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.license).toBe('MIT');
  });

  it('depends at run time only on packages its builds import', () => {
    // A dependency no build imports is one every shop installs for nothing.
    const built = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => /^package\/dist\/.*\.(mjs|cjs|js)$/.test(f))
      .map((f) => readFileSync(join(installed, f.slice('package/'.length)), 'utf8'))
      .join('\n');
    const imported = (dep: string) =>
      new RegExp(`(from|import\\(|require\\()\\s*["']${dep}["']`).test(built);
    const deps = Object.keys(pkg.dependencies ?? {});
    expect(deps.filter((dep) => !imported(dep))).toEqual([]);
    // The check can fail: a package no build imports is caught.
    expect(imported('idb-keyval')).toBe(false);
  });

  it('type-checks a strict TypeScript consumer under node16 (ESM and CommonJS) and bundler', () => {
    const example = readmeExample(readFileSync(join(root, 'README.md'), 'utf8'));
    const node16 = { module: 'Node16', moduleResolution: 'Node16' };
    const bundler = { module: 'ESNext', moduleResolution: 'Bundler' };
    expect(typecheck(project('esm-node16', 'module', node16, example))).toBe('');
    expect(typecheck(project('cjs-node16', 'commonjs', node16, CJS_SOURCE))).toBe('');
    expect(typecheck(project('bundler', 'module', bundler, example))).toBe('');
  }, 60_000);

  it('strict mode catches a nullable element passed to render (the check above can fail)', () => {
    const source = `import { createLikewise } from 'likewise';
createLikewise({ site: 'shop' }).render(document.querySelector('#recs'), { type: 'trending' });
`;
    const bundler = { module: 'ESNext', moduleResolution: 'Bundler' };
    const out = typecheck(project('nullable', 'module', bundler, source));
    expect(out).toMatch(/TS2345/);
  }, 60_000);

  it('publint finds nothing to fix', async () => {
    const { messages } = await publint({ pkgDir: installed, pack: false, strict: true });
    expect(messages).toEqual([]);
  });

  it('@arethetypeswrong/cli finds no problem for node10, node16 (CJS and ESM) and bundler', async () => {
    const attw = join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    const r = await run(process.execPath, [attw, tarball, '--format', 'json']).catch(
      (e: { stdout: string }) => e,
    );
    // Every entry point is checked, `likewise/node` included (it ships a
    // CommonJS build and a .d.cts beside its ESM).
    expect(JSON.parse(r.stdout).analysis.entrypoints).toHaveProperty(['./node']);
    const { analysis } = JSON.parse(r.stdout);
    expect(analysis.problems).toEqual([]);
  }, 60_000);
});
