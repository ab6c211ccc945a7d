// @vitest-environment node
import { EventEmitter } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dataDir, startDemoServer, stopOnSignals } from '../../examples/serve.mjs';

const repo = resolve(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'likewise-serve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A repository root whose demo data is already there (nothing is generated), with the real bin/ and dist/. */
function demoRoot(): string {
  const root = mkdtempSync(join(tmp, 'root-'));
  symlinkSync(join(repo, 'bin'), join(root, 'bin'));
  symlinkSync(join(repo, 'dist'), join(root, 'dist'));
  mkdirSync(join(root, 'examples', 'generated', 'model'), { recursive: true });
  writeFileSync(join(root, 'examples', 'generated', 'catalog.json'), '[]');
  // Newer than the CLI build: the data counts as trained.
  writeFileSync(join(root, 'examples', 'generated', 'model', 'manifest.json'), '{}');
  return root;
}

describe('the demo server (examples/serve.mjs)', () => {
  it("trains another checkout's demo with that checkout's own CLI (its SDK reads its own model format)", async () => {
    // A checkout whose CLI only records where it ran and what it was asked.
    const other = mkdtempSync(join(tmp, 'other-'));
    mkdirSync(join(other, 'bin'));
    mkdirSync(join(other, 'dist'));
    writeFileSync(join(other, 'dist', 'cli.mjs'), '');
    writeFileSync(
      join(other, 'bin', 'likewise.mjs'),
      "import { writeFileSync } from 'node:fs';\n" +
        "writeFileSync(process.argv.at(-1) + '.ran', JSON.stringify([process.cwd(), process.argv.slice(2)]));\n",
    );
    const demo = await startDemoServer({ root: other, port: 0, collect: false, log: () => {} });
    await demo.close();
    const out = join(other, 'examples', 'generated');
    const [cwd, argv] = JSON.parse(readFileSync(join(out, 'model.ran'), 'utf8'));
    expect(cwd).toBe(other);
    expect(argv).toEqual([
      'train',
      '--events',
      join(out, 'events.csv'),
      '--out',
      join(out, 'model'),
    ]);
  });

  it('puts data from --events or --catalog beside the generated demo data, never over it', () => {
    const examples = join(repo, 'examples');
    expect(dataDir(examples, {})).toBe(join(examples, 'generated'));
    expect(dataDir(examples, { events: 'shop.csv' })).toBe(join(examples, 'generated-own'));
    expect(dataDir(examples, { catalog: 'items.json' })).toBe(join(examples, 'generated-own'));
  });

  it('says how to choose another port when its port is busy', async () => {
    const busy: Server = createServer();
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
    const port = (busy.address() as { port: number }).port;
    try {
      await expect(startDemoServer({ root: demoRoot(), port, collect: false })).rejects.toThrow(
        `port ${port} is in use: pick another with --port N or PORT=N (0 picks a free one)`,
      );
    } finally {
      busy.close();
    }
  });

  it.skipIf(!existsSync(join(repo, 'dist', 'cli.mjs')))(
    'stops its likewise collect child on SIGTERM and SIGINT, then exits 0',
    async () => {
      for (const signal of ['SIGTERM', 'SIGINT']) {
        const demo = await startDemoServer({
          root: demoRoot(),
          port: 0,
          collected: join(tmp, `${signal}.ndjson`),
        });
        expect(demo.collector).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await fetch(`${demo.collector}/health`)).status).toBe(200);
        const proc = Object.assign(new EventEmitter(), { exit: vi.fn() });
        stopOnSignals(demo, proc);
        proc.emit(signal);
        await vi.waitFor(() => expect(proc.exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
        await expect(fetch(`${demo.collector}/health`)).rejects.toThrow();
        await expect(fetch(demo.url)).rejects.toThrow();
        expect(proc.listenerCount('SIGTERM') + proc.listenerCount('SIGINT')).toBe(0);
      }
    },
    30_000,
  );
});
