// @vitest-environment node
// The whole loop, in one process: browsers (SDK instances) send their events
// to the reference collector, `likewise train` turns the collected NDJSON into
// a model, a fresh browser recommends from that model, and `likewise report`
// reads the same file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Collector, createCollector } from '../../src/cli/collect';
import { run as report } from '../../src/cli/report';
import { run as train } from '../../src/cli/train';
import { createLikewise } from '../../src/createLikewise';
import type { CatalogItem, LikewiseEvent } from '../../src/types';
import { recordingIo } from '../support/recordingIo';
import { withExtras } from '../support/withExtras';

let dir: string;
let out: string;
let modelDir: string;
let collector: Collector;

const ITEMS = ['A', 'B', 'C', 'D', 'E', 'F'];
const catalog: CatalogItem[] = ITEMS.map((id) => ({
  id,
  title: `Item ${id}`,
  url: `https://shop.example/p/${id}`,
  price: 20,
  currency: 'EUR',
}));

const io = recordingIo;

/** One simulated browser: its own IndexedDB, Node's real fetch to the collector. */
function browser(errors: unknown[]) {
  return createLikewise(
    { site: 'shop', endpoint: `${collector.url}/collect`, onError: (e) => errors.push(e) },
    withExtras({ indexedDB: new IDBFactory(), fetch: globalThis.fetch }),
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'likewise-loop-'));
  out = join(dir, 'collected.ndjson');
  modelDir = join(dir, 'model');
  // A high rate: eight browsers on one IP must not be throttled.
  collector = await createCollector({ out, port: 0, host: '127.0.0.1', rate: 1000 });
});
afterAll(async () => {
  await collector?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('browser -> collector -> model -> browser', () => {
  let expected = 0;

  it('delivers every tracked event of several browsers to the collector file', async () => {
    const errors: unknown[] = [];
    // Eight visitors: everyone who views A also views B; C and D go together
    // for half of them; E and F are each seen alone. Some buy B through a widget.
    const browsers = await Promise.all(
      Array.from({ length: 8 }, async (_, v) => {
        const lw = browser(errors);
        // Tracking starts at once, before the lazily loaded measurement part
        // is ready: those first events must reach the collector too.
        const tracked: Promise<unknown>[] = [];
        const track = (input: Parameters<typeof lw.track>[0]) => {
          expected++;
          tracked.push(Promise.resolve(lw.track(input)));
        };
        track({ type: 'view', itemId: 'A' });
        track({ type: 'view', itemId: 'B' });
        if (v % 2 === 0) {
          track({ type: 'view', itemId: 'C' });
          track({ type: 'view', itemId: 'D' });
        } else track({ type: 'view', itemId: v % 4 === 1 ? 'E' : 'F' });
        if (v < 4) {
          const from = { rec: `r${v}`, scenario: 'similar', widget: 'pdp' } as const;
          track({ type: 'impression', itemId: 'B', ...from });
          track({ type: 'click', itemId: 'B', ...from });
          track({ type: 'add_to_cart', itemId: 'B', price: 20, currency: 'EUR', quantity: 1 });
          track({ type: 'purchase', itemId: 'B', price: 20, currency: 'EUR', quantity: 1 });
        }
        await Promise.all(tracked);
        return lw;
      }),
    );
    // The instance exposes no flush: each outbox sends after its batch delay
    // (1 s of real timers, since the requests are real HTTP). Wait for the file.
    await vi.waitFor(
      () => {
        if (collector.size() < expected)
          throw new Error(`${collector.size()}/${expected} ${errors.map(String).join(';')}`);
      },
      { timeout: 15_000, interval: 50 },
    );
    for (const lw of browsers) lw.destroy();
    expect(errors).toEqual([]);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(expected);
    const events = lines.map((l) => JSON.parse(l) as LikewiseEvent);
    // Each browser is one anonymous visitor, stamped on every event it sent.
    expect(new Set(events.map((e) => e.visitor)).size).toBe(8);
    expect(events.filter((e) => e.type === 'purchase')).toHaveLength(4);
  }, 60_000);

  it('trains a model from the collected file with which a fresh browser recommends B for A', async () => {
    const t = io(dir);
    expect(await train(['--events', out, '--out', modelDir], t)).toBe(0);
    // A browser with no history of its own: what it recommends comes from the model.
    const modelFetch = (async (input: RequestInfo | URL) => {
      const url = new URL(String(input));
      try {
        const body = await readFile(join(modelDir, url.pathname.replace(/^\/model\//, '')));
        return new Response(body, { status: 200 });
      } catch {
        return new Response('not found', { status: 404 });
      }
    }) as typeof fetch;
    const errors: unknown[] = [];
    const lw = createLikewise(
      {
        site: 'shop',
        model: 'https://cdn.shop.example/model/manifest.json',
        catalog,
        onError: (e) => errors.push(e),
      },
      withExtras({ indexedDB: new IDBFactory(), fetch: modelFetch }),
    );
    const recs = await lw.recommend({ type: 'similar', itemId: 'A' });
    lw.destroy();
    expect(errors).toEqual([]);
    expect(recs.map((r) => r.id)[0]).toBe('B');
    expect(recs.map((r) => r.id)).not.toContain('A');
  }, 60_000);

  it('reports per-widget figures from the same file', async () => {
    const t = io(dir);
    expect(await report(['--events', out], t)).toBe(0);
    const text = t.out.join('');
    expect(text).toContain(`likewise report: ${expected} events`);
    const row = text.split('\n').find((l) => /^pdp\s/.test(l));
    // widget, scenario, group, impressions, clicks, CTR, add-to-carts, purchases, revenue
    expect(row?.split(/\s+/).slice(0, 5)).toEqual(['pdp', 'similar', 'none', '4', '4']);
    expect(row?.split(/\s+/)[7]).toBe('4');

    const j = io(dir);
    expect(await report(['--events', out, '--json'], j)).toBe(0);
    const json = JSON.parse(j.out.join(''));
    expect(json.skippedLines).toBe(0);
    expect(json.report.widgets).toEqual([
      expect.objectContaining({
        widget: 'pdp',
        impressions: 4,
        clicks: 4,
        purchases: 4,
        revenue: 80,
      }),
    ]);
  });
});

describe('identity across devices: identify() -> collector -> profile on another device', () => {
  it("brings a customer's cart from their phone to their laptop, through hashed ids only", async () => {
    const file = join(dir, 'identity.ndjson');
    const c = await createCollector({ out: file, rate: 1000, profiles: true });
    const errors: unknown[] = [];
    const device = (options: Omit<Parameters<typeof createLikewise>[0], 'site'>) =>
      createLikewise(
        { site: 'shop', catalog, onError: (e) => errors.push(e), ...options },
        withExtras({ indexedDB: new IDBFactory(), fetch: globalThis.fetch }),
      );
    try {
      const phone = device({ endpoint: `${c.url}/collect` });
      await phone.track({ type: 'view', itemId: 'C' });
      await phone.track({
        type: 'add_to_cart',
        itemId: 'C',
        price: 20,
        currency: 'EUR',
        quantity: 1,
      });
      await phone.identify('customer-42');
      // Two events and the link, once the outbox has sent them (real timers).
      await vi.waitFor(
        () => {
          if (c.size() < 3) throw new Error(`${c.size()}/3 ${errors.map(String).join(';')}`);
        },
        { timeout: 15_000, interval: 50 },
      );
      phone.destroy();
      const stored = await readFile(file, 'utf8');
      expect(stored).not.toContain('customer-42');
      const link = stored
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((r) => r.type === 'identify');
      expect(link).toEqual({
        id: expect.any(String),
        type: 'identify',
        ts: expect.any(Number),
        visitor: expect.any(String),
        customer: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const laptop = device({ profileEndpoint: `${c.url}/profile` });
      expect((await laptop.profile()).cart).toEqual([]);
      await laptop.identify('customer-42');
      expect((await laptop.profile()).cart).toEqual(['C']);
      laptop.destroy();
      // Another customer gets nothing of it.
      const stranger = device({ profileEndpoint: `${c.url}/profile` });
      await stranger.identify('customer-43');
      expect((await stranger.profile()).cart).toEqual([]);
      stranger.destroy();
      expect(errors).toEqual([]);
      // The collected file still trains and reports: the link is no event and no error.
      const t = io(dir);
      expect(await train(['--events', file, '--out', join(dir, 'identity-model')], t)).toBe(0);
      expect(t.out.join('')).toContain('2 events (0 skipped)');
      const r = io(dir);
      expect(await report(['--events', file, '--json'], r)).toBe(0);
      expect(r.err.join('')).toBe('');
    } finally {
      await c.close();
    }
  }, 60_000);
});
