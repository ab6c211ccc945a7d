// @vitest-environment node
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as evaluate } from '../../src/cli/eval';
import { readEvents } from '../../src/cli/readEvents';
import { run } from '../../src/cli/train';
import { splitRows } from '../../src/cli/train/buildModel';
import { buildNeighbours } from '../../src/engine/buildNeighbours';
import { EVENT_TYPE_CODES } from '../../src/engine/types';
import { buildUserItemMatrix } from '../../src/engine/userItemMatrix';
import { createModelLoader } from '../../src/model/createModelLoader';
import { syntheticLog } from '../engine/synthetic';
import { recordingIo } from '../support/recordingIo';

let dir: string;
let events: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'likewise-train-'));
  // 300 shoppers: each views a pair of related items (2k, 2k+1) and some
  // also buy "tea" with "cups"; a few view random items for noise.
  const lines = ['user,item,timestamp,type'];
  let t = 1_700_000_000;
  for (let u = 0; u < 300; u++) {
    const k = u % 20;
    lines.push(`u${u},item-${2 * k},${t++},view`, `u${u},item-${2 * k + 1},${t++},view`);
    if (u % 3 === 0) lines.push(`u${u},tea,${t++},add_to_cart`, `u${u},cups,${t++},purchase`);
    if (u % 7 === 0) lines.push(`u${u},item-${(u * 13) % 40},${t++},click`);
    if (u % 50 === 0) lines.push(`u${u},item-${k},${t++},wishlist`); // unknown type: skipped
  }
  events = join(dir, 'events.csv');
  await writeFile(events, `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const io = () => recordingIo(dir);

/** fetch over the files of a directory, counting requests. */
function fileFetch(root: string, calls: string[]) {
  return (async (url: string) => {
    calls.push(url);
    try {
      return new Response(await readFile(join(root, url.replace(/^model\//, ''))));
    } catch {
      return new Response('', { status: 404 });
    }
  }) as unknown as typeof fetch;
}

describe('likewise train', () => {
  it('builds a model that the loader reads: similar and bought-together neighbours', async () => {
    const cli = io();
    const code = await run(['--events', 'events.csv', '--out', 'model', '--shards', '4'], cli);
    // Why lines were skipped, on stderr; no progress lines for a small log off a terminal.
    expect(cli.err.join('')).toBe(
      'likewise train: 6 lines skipped:\n  unknown event type: 6 lines, the first is line 7\n',
    );
    expect(code).toBe(0);
    const summary = cli.out.join('');
    expect(summary).toMatch(/^likewise train: \d+ events \(6 skipped\), 300 users, 42 items/);
    expect(summary).toMatch(
      /files: 6 in model \(4 shards, [\d.]+ (bytes|KB); [\d.]+ bytes per item/,
    );
    expect(summary).toMatch(
      /time: [\d.]+ m?s \(read [\d.]+ m?s, build [\d.]+ m?s, encode [\d.]+ m?s, write [\d.]+ m?s\)/,
    );
    // A tiny build's cost per pair would be its fixed costs divided by a few pairs.
    expect(summary).toMatch(/similar build: \d+ co-occurring pairs .* in [\d.]+ m?s\n/);
    expect(summary).not.toContain('per pair');

    const files = await readdir(join(dir, 'model'));
    const written = JSON.parse(await readFile(join(dir, 'model', 'manifest.json'), 'utf8'));
    expect(files.sort()).toEqual(
      [written.dir.slice(0, -1), written.popularity.file, 'manifest.json'].sort(),
    );
    expect((await readdir(join(dir, 'model', written.dir))).sort()).toEqual([
      '0.json',
      '1.json',
      '2.json',
      '3.json',
    ]);

    const calls: string[] = [];
    const loader = createModelLoader(
      'model/manifest.json',
      {},
      { fetch: fileFetch(join(dir, 'model'), calls) },
    );
    const manifest = await loader.manifest();
    expect(manifest).toMatchObject({ items: 42, shards: 4, k: 50, similarity: 'cosine' });
    const source = await loader.neighbours(['item-4', 'tea']);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(source.neighbours('item-4')!.ids[0]).toBe('item-5');
    expect(source.together.neighbours('tea')!.ids).toEqual(['cups']);
    // Views are not purchases: no bought-together list from them.
    expect(source.together.neighbours('item-4')!.ids).toEqual([]);
    const trending = await loader.popularity();
    expect(trending.ids.length).toBe(42);
  });

  it('replaces a model in place, keeping the previous shards for pages that still use them', async () => {
    const out = join(dir, 'replace');
    await run(['--events', 'events.csv', '--out', 'replace', '--shards', '2'], io());
    const first = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    await run(['--events', 'events.csv', '--out', 'replace', '--shards', '3'], io());
    const second = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    await run(['--events', 'events.csv', '--out', 'replace', '--shards', '5'], io());
    const third = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const files = await readdir(out);
    const folder = (m: { dir: string }) => m.dir.slice(0, -1);
    for (const m of [second, third]) expect(files).toContain(folder(m));
    expect(files).not.toContain(folder(first));
    expect(files.filter((f) => f.startsWith('model-'))).toHaveLength(2);
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);
    expect(third.shards).toBe(5);
  });

  it('a retraining that gives the same shards keeps their folder as it is (not a file rewritten)', async () => {
    const out = join(dir, 'same');
    await run(['--events', 'events.csv', '--out', 'same', '--shards', '3'], io());
    const first = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    const shard = join(out, first.dir, '1.json');
    const before = (await stat(shard)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await run(['--events', 'events.csv', '--out', 'same', '--shards', '3'], io());
    const second = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(second.dir).toBe(first.dir);
    expect((await stat(shard)).mtimeMs).toBe(before);
    const files = await readdir(out);
    expect(files.filter((f) => f.startsWith('model-'))).toEqual([first.dir.slice(0, -1)]);
    expect(files.some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it("never deletes or overwrites files that are not a likewise model's", async () => {
    const out = join(dir, 'public');
    await mkdir(out, { recursive: true });
    const own = ['popularity-export.json', 'shard-notes.bin', 'shard-0-notahash.bin', 'app.js'];
    for (const name of own) await writeFile(join(out, name), name);
    // A first run where the shop's own files are: they stay.
    expect(await run(['--events', 'events.csv', '--out', 'public'], io())).toBe(0);
    expect(await run(['--events', 'events.csv', '--out', 'public', '--shards', '3'], io())).toBe(0);
    const files = await readdir(out);
    for (const name of own) expect(files).toContain(name);
    // A manifest.json that is not a likewise model's (a web app manifest) is refused at once.
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'manifest.json'), '{"name":"My shop","icons":[]}');
    const cli = io();
    expect(await run(['--events', 'events.csv', '--out', 'app'], cli)).toBe(1);
    expect(cli.err.join('')).toContain(
      `${join(app, 'manifest.json')} is not a likewise model manifest; choose another --out directory`,
    );
    expect(await readdir(app)).toEqual(['manifest.json']);
    expect(await readFile(join(app, 'manifest.json'), 'utf8')).toBe(
      '{"name":"My shop","icons":[]}',
    );
  });

  it('reads NDJSON from the collector', async () => {
    const lines = [];
    for (let u = 0; u < 40; u++) {
      lines.push(
        JSON.stringify({ id: `a${u}`, type: 'view', ts: 1e12 + u, session: `s${u}`, itemId: 'x' }),
        JSON.stringify({ id: `b${u}`, type: 'view', ts: 1e12 + u, session: `s${u}`, itemId: 'y' }),
      );
    }
    await writeFile(join(dir, 'collected.ndjson'), lines.join('\n'));
    const cli = io();
    expect(await run(['--events', 'collected.ndjson', '--out', 'nd'], cli)).toBe(0);
    expect(cli.out.join('')).toContain('80 events (0 skipped), 40 users, 2 items');
  });

  it('prints usage and exits 2 on bad arguments', async () => {
    for (const [argv, message] of [
      [[], '--events FILE is required'],
      [['--events'], '--events needs a value'],
      [['--events', 'e.csv', '--k', '0'], '--k must be an integer >= 1, got 0'],
      [
        ['--events', 'e.csv', '--shards', '20000000'],
        '--shards must be an integer from 1 to 16777216, got 20000000',
      ],
      [
        ['--events', 'e.csv', '--similarity', 'pearson'],
        '--similarity must be cosine, jaccard, conditional or sequence, got pearson',
      ],
      [['--events', 'e.csv', '--bogus', '1'], 'unknown option --bogus'],
    ] as [string[], string][]) {
      const cli = io();
      expect(await run(argv, cli)).toBe(2);
      expect(cli.err.join('')).toContain(`likewise train: ${message}\n`);
      expect(cli.err.join('')).toContain('usage: likewise train');
    }
    const help = io();
    expect(await run(['--help'], help)).toBe(0);
    expect(help.out.join('')).toContain('--similarity');
  });

  it('exits 1 with a message when the log is missing or has no usable events', async () => {
    const cli = io();
    expect(await run(['--events', 'missing.csv'], cli)).toBe(1);
    expect(cli.err.join('')).toContain('likewise train: cannot read missing.csv');
    await writeFile(join(dir, 'junk.csv'), 'user,item,timestamp,type\nu,a,1,hover\n');
    const junk = io();
    expect(await run(['--events', 'junk.csv', '--out', 'junk-model'], junk)).toBe(1);
    expect(junk.err.join('')).toBe(
      'likewise train: 1 line skipped:\n' +
        '  unknown event type: 1 line, the first is line 2\n' +
        'likewise train: no usable events in junk.csv: expected CSV (a user,item,timestamp,type header; timestamps in unix seconds) or NDJSON with the same fields or the SDK events that likewise collect writes.\n',
    );
    await expect(readdir(join(dir, 'junk-model'))).rejects.toThrow();
  });
});

/** The built CLI: only it starts worker threads (the sources run every task on one thread). */
const builtCli = resolve(__dirname, '../../dist/cli.mjs');

describe('likewise train on worker threads (the built CLI)', () => {
  it.skipIf(!existsSync(builtCli))(
    'writes the same model files with 2 threads as with 1',
    async () => {
      // 2,000 shoppers over 300 items in 30 categories, buying some; a few
      // heavy users pass the cap (a range of users each thread groups alone).
      const lines = ['user,item,timestamp,type'];
      const types = ['view', 'view', 'click', 'add_to_cart', 'purchase'];
      let seed = 11;
      const random = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 4294967296;
      };
      for (let u = 0; u < 2000; u++) {
        const n = u % 97 === 0 ? 40 : 2 + Math.floor(random() * 8);
        const category = Math.floor(random() * 30);
        for (let e = 0; e < n; e++) {
          const item =
            random() < 0.8 ? category * 10 + Math.floor(random() * 10) : Math.floor(random() * 300);
          lines.push(
            `u${u},i${item},${1_700_000_000 + Math.floor(random() * 1e6)},${types[e % 5]}`,
          );
        }
      }
      await writeFile(join(dir, 'threads.csv'), `${lines.join('\n')}\n`);
      const files = async (threads: number) => {
        const out = join(dir, `threads-${threads}`);
        const args = [
          'train',
          '--events',
          'threads.csv',
          '--out',
          out,
          '--threads',
          String(threads),
        ];
        await promisify(execFile)(
          process.execPath,
          [builtCli, ...args, '--max-items-per-user', '6'],
          {
            cwd: dir,
          },
        );
        // The shard folder's files too.
        const names = (await readdir(out, { recursive: true, withFileTypes: true }))
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name).slice(out.length + 1))
          .sort();
        return Promise.all(
          names.map(async (name) => {
            const text = (await readFile(join(out, name))).toString('latin1');
            return [name, text.replace(/"createdAt":\s*"[^"]*"/, '')];
          }),
        );
      };
      expect(await files(2)).toEqual(await files(1));
    },
    30_000,
  );
});

describe('splitRows', () => {
  it('covers every item once, in contiguous ranges of about equal cost', async () => {
    const log = await readEvents(events);
    const ranges = splitRows(buildUserItemMatrix(log), 2);
    expect(ranges[0][0]).toBe(0);
    expect(ranges[0][1]).toBe(ranges[1][0]);
    expect(ranges[1][1]).toBe(log.itemIds.length);
    expect(ranges[0][1]).toBeGreaterThan(0);
    expect(ranges[0][1]).toBeLessThan(log.itemIds.length);
  });

  it('makes as many ranges as asked when there are enough items, each non-empty', async () => {
    const log = await readEvents(events);
    const ranges = splitRows(buildUserItemMatrix(log), 4);
    expect(ranges.length).toBe(4);
    for (let r = 1; r < ranges.length; r++) expect(ranges[r][0]).toBe(ranges[r - 1][1]);
    for (const [a, b] of ranges) expect(b).toBeGreaterThan(a);
  });
});

describe('likewise train --tune and the sequence similarity', () => {
  // A shop log with order in it: sessions drift between neighbouring items.
  const synthetic = syntheticLog({ users: 150, items: 60, seed: 11 });
  let file: string;
  beforeAll(async () => {
    const lines = ['user,item,timestamp,type'];
    for (let r = 0; r < synthetic.length; r++)
      lines.push(
        `${synthetic.userIds[synthetic.users[r]]},${synthetic.itemIds[synthetic.items[r]]},${synthetic.times[r] / 1000},${EVENT_TYPE_CODES[synthetic.types[r]]}`,
      );
    file = join(dir, 'sessions.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
  });

  it('prints every candidate and the winner, and records the configuration eval --tune chooses', async () => {
    const cli = io();
    expect(
      await run(['--events', 'sessions.csv', '--out', 'tuned', '--tune', '--threads', '1'], cli),
    ).toBe(0);
    const text = cli.out.join('');
    expect(text).toMatch(/start cosine/);
    expect(text).toMatch(/start sequence/);
    expect(text).toMatch(/^\* .*$/m);
    expect(text).toMatch(
      /tuned on \d+ validation users: \d+ candidates in [\d.]+ s \(CPU [\d.]+ s\); winner: /,
    );
    const manifest = JSON.parse(await readFile(join(dir, 'tuned', 'manifest.json'), 'utf8'));
    const evaluation = io();
    expect(await evaluate(['--events', 'sessions.csv', '--tune', '--json'], evaluation)).toBe(0);
    const tuned = JSON.parse(evaluation.out.join('')).models.tuned;
    expect(manifest.config).toEqual(tuned.config);
    expect(manifest.similarity).toBe(tuned.config.similarity);
    expect(manifest.k).toBe(tuned.config.k);
  });

  it('builds sequence lists that the loader reads as buildNeighbours makes them', async () => {
    const cli = io();
    const argv = ['--events', 'sessions.csv', '--out', 'seq', '--threads', '1'];
    expect(
      await run([...argv, '--similarity', 'sequence', '--window', '3', '--backward', '0.25'], cli),
    ).toBe(0);
    expect(cli.out.join('')).toMatch(/pairs within the window \(3 steps, both ways\)/);
    const log = await readEvents(file);
    const want = buildNeighbours(log, {
      similarity: 'sequence',
      window: 3,
      backward: 0.25,
      maxItemsPerUser: 1000,
    });
    const loader = createModelLoader(
      'model/manifest.json',
      {},
      { fetch: fileFetch(join(dir, 'seq'), []) },
    );
    const source = await loader.neighbours(log.itemIds);
    expect((await loader.manifest()).similarity).toBe('sequence');
    let compared = 0;
    for (let i = 0; i < log.itemIds.length; i++) {
      const ids = Array.from(
        want.indices.subarray(want.offsets[i], want.offsets[i + 1]),
        (j) => log.itemIds[j],
      );
      const got = source.neighbours(log.itemIds[i])?.ids ?? [];
      // Stored scores are 8-bit fractions: near-ties may swap, the sets agree.
      expect([...got].sort()).toEqual([...ids].sort());
      compared += ids.length;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('refuses --tune with the options it chooses, and a backward weight out of range', async () => {
    for (const [argv, message] of [
      [['--tune', '--k', '20'], '--k and --tune do not go together: --tune chooses it'],
      [
        ['--similarity', 'sequence', '--backward', '2'],
        '--backward must be a number from 0 to 1, got 2',
      ],
    ] as [string[], string][]) {
      const cli = io();
      expect(await run(['--events', 'sessions.csv', ...argv], cli)).toBe(2);
      expect(cli.err.join('')).toContain(message);
    }
  });
});
