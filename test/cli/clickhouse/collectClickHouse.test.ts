// @vitest-environment node
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findClickHouseServer,
  startClickHouseCluster,
} from '../../../scripts/clickhouseCluster.mjs';
import { clickHouseSink, eventRows } from '../../../src/cli/clickhouse/clickHouseSink';
import { connectClickHouse } from '../../../src/cli/clickhouse/connectClickHouse';
import { createCollector } from '../../../src/cli/collect';
import { run as train } from '../../../src/cli/train';
import type { LikewiseEvent } from '../../../src/types';
import { rng } from '../../engine/synthetic';
import { recordingIo } from '../../support/recordingIo';

const server = findClickHouseServer();
if (!server)
  console.warn('SKIPPED: ClickHouse collector tests (clickhouse-server is not installed)');

let cluster: Awaited<ReturnType<typeof startClickHouseCluster>>;
let client: ClickHouseClient;
let dir: string;

const io = () => recordingIo(dir);

/** Seeded shoppers as the SDK sends them: whole-second times (the table keeps seconds). */
function shoppers(): LikewiseEvent[] {
  const random = rng(3);
  const events: LikewiseEvent[] = [];
  let ts = 1_700_000_000_000;
  for (let v = 0; v < 60; v++) {
    const pair = v % 6;
    const push = (type: LikewiseEvent['type'], itemId: string) => {
      ts += 1000;
      events.push({
        id: `e${events.length}`,
        type,
        ts,
        session: `s${v}`,
        visitor: `v${v}`,
        itemId,
      });
    };
    push('view', `book-${2 * pair}`);
    push('view', `book-${2 * pair + 1}`);
    if (random() < 0.5) push('add_to_cart', `book-${2 * pair + 1}`);
  }
  // A multi-item purchase: one row per line item.
  events.push({
    id: 'order',
    type: 'purchase',
    ts: ts + 1000,
    session: 's0',
    visitor: 'v0',
    items: [
      { itemId: 'book-0', quantity: 1, price: 5 },
      { itemId: 'book-1', quantity: 1, price: 5 },
    ],
  } as LikewiseEvent);
  return events;
}

async function post(url: string, events: LikewiseEvent[]): Promise<Response> {
  return fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
}

describe.skipIf(!server)('collect into ClickHouse, then train from it', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'likewise-chcollect-'));
    cluster = await startClickHouseCluster({ nodes: 1 });
    client = await connectClickHouse({ url: cluster.urls[0] });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('maps a collected event to the rows train reads', () => {
    const [order] = shoppers().slice(-1);
    expect(eventRows(order)).toEqual([
      {
        user: 'v0',
        item: 'book-0',
        timestamp: 1_700_000_000 + 0.001 * (order.ts - 1_700_000_000_000),
        type: 'purchase',
      },
      {
        user: 'v0',
        item: 'book-1',
        timestamp: 1_700_000_000 + 0.001 * (order.ts - 1_700_000_000_000),
        type: 'purchase',
      },
    ]);
    expect(eventRows({ id: 'q', type: 'search', ts: 1, session: 's', query: 'tea' })).toEqual([]);
  });

  it('acknowledges only what ClickHouse stored; the model equals the one from the file', async () => {
    const out = join(dir, 'collected.ndjson');
    const sink = clickHouseSink(await connectClickHouse({ url: cluster.urls[0] }), 'shop_events');
    const collector = await createCollector({ out, sink, rate: 1000 });
    try {
      const events = shoppers();
      // No table yet: refused, and nothing written to the file either.
      const refused = await post(collector.url, events.slice(0, 10));
      expect(refused.status).toBe(500);
      expect(collector.size()).toBe(0);
      await client.command({
        query:
          'CREATE TABLE shop_events (user String, item String, timestamp UInt32, type String) ENGINE = MergeTree ORDER BY (user, timestamp)',
      });
      for (let i = 0; i < events.length; i += 25) {
        const res = await post(collector.url, events.slice(i, i + 25));
        expect(res.status).toBe(200);
      }
      // A retried batch is acknowledged as duplicates and not inserted again.
      const again = await post(collector.url, events.slice(0, 10));
      expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 10 });
    } finally {
      await collector.close();
      await sink.close();
    }
    const stored = await client.query({
      query: 'SELECT count() AS n FROM shop_events',
      format: 'JSONEachRow',
    });
    expect(await stored.json()).toEqual([{ n: String(shoppers().length + 1) }]);

    const fromFile = io();
    expect(await train(['--events', 'collected.ndjson', '--out', 'file-model'], fromFile)).toBe(0);
    const fromClickHouse = io();
    expect(
      await train(
        ['--clickhouse', cluster.urls[0], '--table', 'shop_events', '--out', 'ch-model'],
        fromClickHouse,
      ),
    ).toBe(0);
    const files = async (name: string) => {
      const path = join(dir, name);
      const out: Record<string, string> = {};
      for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const f = join(entry.parentPath, entry.name).slice(path.length + 1);
        const text = await readFile(join(path, f), 'latin1');
        out[f] = f === 'manifest.json' ? text.replace(/"createdAt": "[^"]*"/, '') : text;
      }
      return out;
    };
    expect(await files('ch-model')).toEqual(await files('file-model'));
    expect(fromClickHouse.out.join('')).toContain(`${shoppers().length + 1} events`);
  });
});
