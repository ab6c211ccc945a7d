// @vitest-environment node
// `likewise recommend` and the Node API (`openModel`) against the browser's
// `recommend()` over the same model files and the same history.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel } from '../../src/cli/openModel';
import { run } from '../../src/cli/recommend';
import { run as train } from '../../src/cli/train';
import { EVENT_TYPE_CODES } from '../../src/engine/types';
import { createCatalog } from '../../src/model/createCatalog';
import { createRecommender } from '../../src/model/createRecommender';
import { encodeModel } from '../../src/model/encodeModel';
import { hasCoViews } from '../../src/model/hasCoViews';
import type { Manifest } from '../../src/model/modelFormat';
import type { LikewiseEvent, Recommendation } from '../../src/types';
import { syntheticLog } from '../engine/synthetic';
import { serve } from '../model/fixtures';
import { modelService } from '../support/modelService';

const dir = mkdtempSync(join(tmpdir(), 'likewise-recommend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decoder = new TextDecoder();

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      // The answers come as UTF-8 bytes.
      stdout: {
        write: (t: string | Uint8Array) =>
          (out.stdout += typeof t === 'string' ? t : decoder.decode(t)),
      },
      stderr: { write: (t: string) => (out.stderr += t) },
      cwd: dir,
    },
  };
}

const log = syntheticLog({ users: 120, items: 80, seed: 3 });
// Every third user's events lie more than 30 minutes apart (one item per
// session: nothing to learn on the device), every fifth has events at equal
// times, and a few events are dismissals or cart removals.
{
  const count = new Map<number, number>();
  for (let r = 0; r < log.length; r++) {
    const u = log.users[r];
    const n = count.get(u) ?? 0;
    count.set(u, n + 1);
    if (u % 3 === 0) log.times[r] = 1_600_000_000_000 + u * 1000 + n * 31 * 60_000;
    if (u % 5 === 1 && n % 2 === 1) log.times[r] = log.times[r - 1];
    if (r % 13 === 7) log.types[r] = EVENT_TYPE_CODES.indexOf('dismiss');
    if (r % 17 === 9) log.types[r] = EVENT_TYPE_CODES.indexOf('remove_from_cart');
  }
}
const lines = ['user,item,timestamp,type'];
for (let r = 0; r < log.length; r++)
  lines.push(
    `${log.userIds[log.users[r]]},${log.itemIds[log.items[r]]},${log.times[r] / 1000},${EVENT_TYPE_CODES[log.types[r]]}`,
  );
// A user whose one item has no neighbours: every list is filled from popularity.
const solo = { user: 'u-solo', item: 'sku-solo', ts: 1_600_000_000_000 };
lines.push(`${solo.user},${solo.item},${solo.ts / 1000},view`);
const users = [...log.userIds, solo.user];
writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);

/** User u's events as the tracker stores them: a new session after 30 minutes. */
function eventsOf(u: number): LikewiseEvent[] {
  if (u === log.userCount)
    return [{ id: 's', type: 'view', ts: solo.ts, session: '1', itemId: solo.item }];
  const out: LikewiseEvent[] = [];
  let session = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < log.length; r++) {
    if (log.users[r] !== u) continue;
    if (log.times[r] - last > 30 * 60_000) session++;
    last = log.times[r];
    out.push({
      id: String(r),
      type: EVENT_TYPE_CODES[log.types[r]],
      ts: log.times[r],
      session: String(session),
      itemId: log.itemIds[log.items[r]],
    });
  }
  return out;
}

/** The browser's `recommend()` over the model files in `model`, for one visitor. */
function browser(model: string, events: LikewiseEvent[]) {
  const files = readdirSync(model, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { name: path.slice(model.length + 1), bytes: new Uint8Array(readFileSync(path)) };
    });
  const M = 'https://cdn.test/model/';
  const service = modelService(`${M}manifest.json`, { fetch: serve({ [M]: files }).fetch });
  const errors: unknown[] = [];
  const items = log.itemIds.map((id) => ({ id, title: id, url: `https://shop.test/p/${id}` }));
  const recommend = createRecommender(
    { events: async () => events, report: (e) => errors.push(e) },
    createCatalog(items, (e) => errors.push(e)),
    service,
  );
  return { recommend, errors };
}

const plain = (recs: Recommendation[]) =>
  recs.map(({ id, score, reason }) => ({ id, score, reason }));

beforeAll(async () => {
  const { io: cli, out } = io();
  const code = await train(['--events', 'events.csv', '--out', 'model', '--threads', '1'], cli);
  expect(out.stderr).toBe('');
  expect(code).toBe(0);
});

describe('openModel (the Node API)', () => {
  it('gives the browser’s lists, scores and reasons for the same history and model files', async () => {
    const model = await openModel(join(dir, 'model'));
    let nonEmpty = 0;
    // Users whose sessions teach the on-device learning something, and users whose do not.
    const some = [0, 7, 19, 33, 58, 91, 3, 6, 9, 12, 16];
    expect(some.filter((u) => hasCoViews(eventsOf(u))).length).toBeGreaterThan(3);
    expect(some.filter((u) => !hasCoViews(eventsOf(u))).length).toBeGreaterThan(3);
    for (const u of some) {
      const events = eventsOf(u);
      const { recommend, errors } = browser(join(dir, 'model'), events);
      const item = events[events.length - 1].itemId!;
      for (const request of [
        { type: 'for-you' as const, limit: 10 },
        { type: 'similar' as const, itemId: item, limit: 10 },
        { type: 'bought-together' as const, itemId: item, limit: 10 },
      ]) {
        const want = plain(await recommend(request));
        const got = model.recommend({ ...request, events });
        expect(got).toEqual(want);
        if (got.length) nonEmpty++;
      }
      expect(errors).toEqual([]);
    }
    expect(nonEmpty).toBeGreaterThan(12);
  });

  it('scores for-you with the configuration train --tune recorded, as the browser does', async () => {
    // The same model with a tuned configuration in its manifest.
    const base = await openModel(join(dir, 'model'));
    const manifest: Manifest = JSON.parse(
      readFileSync(join(dir, 'model', 'manifest.json'), 'utf8'),
    );
    const config = {
      similarity: 'cosine' as const,
      k: 50,
      alpha: 0.5,
      recencyHalfLife: 8,
      weights: {
        ...base.config?.weights,
        view: 1,
        click: 1,
        add_to_cart: 1,
        purchase: 1,
        remove_from_cart: 0,
        search: 0,
        impression: 0,
        dismiss: 0,
      },
    };
    writeFileSync(join(dir, 'model', 'manifest.json'), JSON.stringify({ ...manifest, config }));
    try {
      const tuned = await openModel(join(dir, 'model'));
      expect(tuned.config).toEqual(config);
      let differs = 0;
      for (const u of [2, 11, 40, 77]) {
        const events = eventsOf(u);
        const got = tuned.recommend({ type: 'for-you', events, limit: 10 });
        const { recommend } = browser(join(dir, 'model'), events);
        expect(got).toEqual(plain(await recommend({ type: 'for-you', limit: 10 })));
        const untuned = base.recommend({ type: 'for-you', events, limit: 10 });
        if (JSON.stringify(untuned) !== JSON.stringify(got)) differs++;
      }
      // The configuration changes the lists (else this test could not fail).
      expect(differs).toBeGreaterThan(0);
    } finally {
      writeFileSync(join(dir, 'model', 'manifest.json'), JSON.stringify(manifest, null, 1));
    }
  });

  it('refuses a model that is not there, or whose files are corrupt', async () => {
    await expect(openModel(join(dir, 'nothing'))).rejects.toThrow('Cannot read model');
    const { files } = encodeModel({
      neighbours: {
        itemIds: ['a'],
        offsets: new Uint32Array(2),
        indices: new Uint32Array(0),
        scores: new Float32Array(0),
      },
      k: 1,
      similarity: 'cosine',
    });
    const broken = join(dir, 'broken');
    rmSync(broken, { recursive: true, force: true });
    mkdirSync(broken);
    for (const f of files) {
      mkdirSync(dirname(join(broken, f.name)), { recursive: true });
      // The shard cut short of its last 5 bytes.
      writeFileSync(
        join(broken, f.name),
        f.name.startsWith('model-') ? f.bytes.subarray(0, f.bytes.length - 5) : f.bytes,
      );
    }
    const shard = files.find((f) => f.name.startsWith('model-'))!;
    const body = shard.bytes.length - shard.bytes.indexOf(10) - 1;
    await expect(openModel(broken)).rejects.toThrow(
      `File ${shard.name} has ${body - 5} bytes, expected ${body}.`,
    );
  });
});

describe('likewise recommend', () => {
  it('prints one NDJSON line per user, each the Node API’s answer for that user’s history', async () => {
    const { out, io: cli } = io();
    expect(
      await run(['--model', 'model', '--events', 'events.csv', '--json', '--limit', '5'], cli),
    ).toBe(0);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.user)).toEqual(users);
    const model = await openModel(join(dir, 'model'));
    for (const u of [0, 5, 64, 119])
      expect(rows[u].items).toEqual(
        model.recommend({ type: 'for-you', events: eventsOf(u), limit: 5 }),
      );
    expect(rows.every((r) => r.items.length === 5)).toBe(true);
  });

  it('gives every user, in every scenario, the Node API’s answer (learning or not)', async () => {
    const model = await openModel(join(dir, 'model'));
    const learners = users.filter((_, u) => hasCoViews(eventsOf(u))).length;
    expect(learners).toBeGreaterThan(20);
    expect(learners).toBeLessThan(users.length - 20);
    const reasons = new Set<string>();
    for (const [type, item] of [
      ['for-you', undefined],
      ['for-you', 'sku-3'],
      ['similar', 'sku-3'],
      ['similar', 'sku-solo'],
      ['bought-together', 'sku-3'],
      ['bought-together', undefined],
    ] as const) {
      for (const json of [true, false]) {
        const { out, io: cli } = io();
        const argv = ['--model', 'model', '--events', 'events.csv', '--type', type, '--limit', '7'];
        if (item) argv.push('--item', item);
        if (json) argv.push('--json');
        expect(await run(argv, cli)).toBe(0);
        const got = out.stdout.split('\n').filter(Boolean);
        expect(got).toHaveLength(users.length);
        for (let u = 0; u < users.length; u++) {
          const want = model.recommend({ type, itemId: item, events: eventsOf(u), limit: 7 });
          if (json) {
            const row = JSON.parse(got[u]);
            expect(row).toEqual({ user: users[u], items: want });
            for (const w of want) reasons.add(`${type} ${w.reason.kind}`);
          } else expect(got[u]).toBe(`${users[u]}\t${want.map((w) => w.id).join(' ')}`);
        }
      }
    }
    // Lists from the model and lists filled up from popularity, in each scenario.
    expect([...reasons].sort()).toEqual([
      'bought-together together',
      'bought-together trending',
      'for-you history',
      'for-you trending',
      'similar similar',
      'similar trending',
    ]);
  });

  it('answers one user with --user, and an item without --events', async () => {
    const one = io();
    expect(
      await run(
        [
          '--model',
          'model',
          '--events',
          'events.csv',
          '--user',
          log.userIds[7],
          '--type',
          'bought-together',
          '--item',
          'sku-3',
        ],
        one.io,
      ),
    ).toBe(0);
    expect(one.out.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(one.out.stdout.startsWith(`${log.userIds[7]}\t`)).toBe(true);
    const item = io();
    expect(
      await run(
        ['--model', 'model', '--type', 'similar', '--item', 'sku-3', '--limit', '3', '--json'],
        item.io,
      ),
    ).toBe(0);
    const model = await openModel(join(dir, 'model'));
    expect(JSON.parse(item.out.stdout).items).toEqual(
      model.recommend({ type: 'similar', itemId: 'sku-3', limit: 3 }),
    );
  });

  it('writes ids that need escaping or are not ASCII as JSON.stringify and UTF-8 do', async () => {
    const who = ['u"quote', 'ü-ser', 'back\\slash', 'tab\tuser', 'u😀', 'plain'];
    const what = ['é-1', 'i"2', 'i😀3', 'i\\4', 'i5', 'i6', '商品7'];
    const rows: string[] = [];
    who.forEach((user, u) => {
      for (let x = 0; x < 4; x++) {
        const itemId = what[(u + x * (u + 1)) % what.length];
        const timestamp = 1_700_000_000 + u * 7 + x;
        rows.push(
          JSON.stringify({ user, item: itemId, timestamp, type: x === 3 ? 'add_to_cart' : 'view' }),
        );
      }
    });
    writeFileSync(join(dir, 'odd.ndjson'), `${rows.join('\n')}\n`);
    const trained = io();
    expect(
      await train(['--events', 'odd.ndjson', '--out', 'odd', '--threads', '1'], trained.io),
    ).toBe(0);
    const model = await openModel(join(dir, 'odd'));
    const events = (user: string): LikewiseEvent[] =>
      rows
        .map((r) => JSON.parse(r))
        .filter((e) => e.user === user)
        .map((e, x) => ({
          id: String(x),
          type: e.type,
          ts: e.timestamp * 1000,
          session: '1',
          itemId: e.item,
        }));
    for (const [type, item] of [
      ['for-you', undefined],
      ['similar', 'i"2'],
      ['bought-together', undefined],
    ] as const) {
      for (const json of [true, false]) {
        const { out, io: cli } = io();
        const argv = ['--model', 'odd', '--events', 'odd.ndjson', '--type', type, '--limit', '4'];
        if (item) argv.push('--item', item);
        if (json) argv.push('--json');
        expect(await run(argv, cli)).toBe(0);
        const want = who.map((user) => {
          const items = model.recommend({ type, itemId: item, events: events(user), limit: 4 });
          return json
            ? JSON.stringify({ user, items })
            : `${user}\t${items.map((w) => w.id).join(' ')}`;
        });
        // Byte for byte: the same escapes, the same key order.
        expect(out.stdout).toBe(`${want.join('\n')}\n`);
      }
    }
  });

  it('resolves 2 with a clear message on usage errors, 1 when the model cannot be read', async () => {
    for (const [argv, message] of [
      [[], '--model DIR|URL is required'],
      [['--model', 'model'], '--type for-you needs --events FILE'],
      [
        ['--model', 'model', '--type', 'similar'],
        '--type similar needs --item ID or --events FILE',
      ],
      [
        ['--model', 'model', '--type', 'top'],
        '--type must be for-you, similar or bought-together, got top',
      ],
      [
        ['--model', 'model', '--events', 'events.csv', '--limit', '0'],
        '--limit must be an integer from 1 to 50, got 0',
      ],
      [['--model', 'model', '--frobnicate'], 'unknown option --frobnicate'],
      [['--model'], '--model needs a value'],
    ] as [string[], string][]) {
      const { out, io: cli } = io();
      expect(await run(argv, cli)).toBe(2);
      expect(out.stderr).toContain(message);
      expect(out.stderr).toContain('usage: likewise recommend');
    }
    const { out, io: cli } = io();
    expect(await run(['--model', 'missing', '--type', 'similar', '--item', 'a'], cli)).toBe(1);
    expect(out.stderr).toContain('cannot load the model missing');
    const nobody = io();
    expect(
      await run(['--model', 'model', '--events', 'events.csv', '--user', 'nobody'], nobody.io),
    ).toBe(1);
    expect(nobody.out.stderr).toContain('no events of user nobody');
  });
});

/** The built CLI: only it starts worker threads (the sources score on one thread). */
const builtCli = resolve(__dirname, '../../dist/cli.mjs');

describe('likewise recommend on worker threads (the built CLI)', () => {
  it.skipIf(!existsSync(builtCli))(
    'prints the same lines, in the same order, with 2 threads as with 1',
    async () => {
      const big = syntheticLog({ users: 1500, items: 200, seed: 5 });
      const rows = ['user,item,timestamp,type'];
      for (let r = 0; r < big.length; r++) {
        const u = big.users[r];
        // Half the users one item per session (no learning), half with sessions.
        const ts = u % 2 ? big.times[r] : big.times[r] + r * 31 * 60_000;
        rows.push(
          `${big.userIds[u]},${big.itemIds[big.items[r]]},${ts / 1000},${EVENT_TYPE_CODES[big.types[r]]}`,
        );
      }
      writeFileSync(join(dir, 'big.csv'), `${rows.join('\n')}\n`);
      const { io: cli } = io();
      expect(await train(['--events', 'big.csv', '--out', 'big', '--threads', '1'], cli)).toBe(0);
      const answers = async (threads: number) => {
        const { stdout, stderr } = await promisify(execFile)(
          process.execPath,
          [
            builtCli,
            'recommend',
            '--model',
            'big',
            '--events',
            'big.csv',
            '--json',
            '--threads',
            String(threads),
          ],
          { cwd: dir, maxBuffer: 1 << 28 },
        );
        expect(stderr).toContain(`on ${threads} thread`);
        return stdout;
      };
      const one = await answers(1);
      expect(one.split('\n').filter(Boolean)).toHaveLength(1500);
      expect(await answers(2)).toBe(one);
    },
    60_000,
  );
});
