// @vitest-environment node
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findClickHouseServer,
  startClickHouseCluster,
} from '../../../scripts/clickhouseCluster.mjs';
import { connectClickHouse } from '../../../src/cli/clickhouse/connectClickHouse';
import { emitSql, emitSqlScript } from '../../../src/cli/clickhouse/emitSql';
import { trainFromClickHouse } from '../../../src/cli/clickhouse/trainFromClickHouse';
import { readEvents } from '../../../src/cli/readEvents';
import { type BuildOptions, buildNeighbours } from '../../../src/engine/buildNeighbours';
import { buildPopularity } from '../../../src/engine/buildPopularity';
import { REFERENCE_MODEL } from '../../../src/engine/evaluate';
import { BOUGHT_TOGETHER_TYPES } from '../../../src/engine/recommend';
import type { Neighbours } from '../../../src/engine/types';
import { clickHouseLog, loadCluster, toCsv } from './clickHouseLog';

const server = findClickHouseServer();
if (!server) console.warn('SKIPPED: ClickHouse tests (clickhouse-server is not installed)');

let cluster: Awaited<ReturnType<typeof startClickHouseCluster>>;
let clients: ClickHouseClient[] = [];
let dir: string;
let csv: string;
const rows = clickHouseLog();

/** Each item's list as ids and scores, by id: comparable across item orders. */
function byId(n: Neighbours): Record<string, { ids: string[]; scores: number[] }> {
  const out: Record<string, { ids: string[]; scores: number[] }> = {};
  n.itemIds.forEach((id, i) => {
    const a = n.offsets[i];
    const b = n.offsets[i + 1];
    out[id] = {
      ids: Array.from(n.indices.subarray(a, b), (j) => n.itemIds[j]),
      scores: Array.from(n.scores.subarray(a, b)),
    };
  });
  return out;
}

describe.skipIf(!server)('trainFromClickHouse on a 2-shard cluster', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'likewise-chtrain-'));
    csv = join(dir, 'events.csv');
    await writeFile(csv, toCsv(rows));
    cluster = await startClickHouseCluster({ nodes: 2 });
    clients = cluster.urls.map((url) => connectClickHouse({ url }));
    await loadCluster(clients, rows, cluster.cluster);
    // Both shards hold some users: the cluster path is really taken.
    for (const client of clients) {
      const result = await client.query({
        query: 'SELECT count() AS n FROM events_local',
        format: 'JSONEachRow',
      });
      const [{ n }] = (await result.json()) as { n: string }[];
      expect(Number(n)).toBeGreaterThan(rows.length / 4);
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const similar: BuildOptions = { k: 10, maxItemsPerUser: 50 };
  const together: BuildOptions = { k: 5, types: BOUGHT_TOGETHER_TYPES, maxItemsPerUser: 50 };

  for (const table of ['events_one', 'events']) {
    it(`builds the engine's lists and popularity from ${table}`, async () => {
      const log = await readEvents(csv);
      const built = await trainFromClickHouse(clients[0], {
        table,
        similar,
        together,
        halfLifeDays: 7,
      });
      expect(built.events).toBe(log.length);
      expect(built.skipped).toBe(log.skipped);
      expect(built.users).toBe(log.userCount);
      expect([...built.neighbours.itemIds].sort()).toEqual([...log.itemIds].sort());
      expect(byId(built.neighbours)).toEqual(byId(buildNeighbours(log, similar)));
      expect(byId(built.together as Neighbours)).toEqual(byId(buildNeighbours(log, together)));
      const now = Math.max(...Array.from(log.times.subarray(0, log.length)));
      const pop = buildPopularity(log, { halfLifeDays: 7, now });
      const want: Record<string, number> = {};
      log.itemIds.forEach((id, i) => {
        want[id] = pop[i];
      });
      const got: Record<string, number> = {};
      built.neighbours.itemIds.forEach((id, i) => {
        got[id] = built.popularity[i];
      });
      expect(got).toEqual(want);
    });
  }

  it('builds the reference configuration (binary, every type, no cap) on the cluster', async () => {
    const log = await readEvents(csv);
    const reference = REFERENCE_MODEL.kind === 'neighbours' ? REFERENCE_MODEL.build : {};
    const built = await trainFromClickHouse(clients[1], {
      table: 'events',
      similar: reference,
      halfLifeDays: 0,
    });
    expect(byId(built.neighbours)).toEqual(byId(buildNeighbours(log, reference)));
  });

  it('runs the emitted ClickHouse SQL on the cluster: the same lists, ranks and popularity', async () => {
    const build = {
      table: '`events`',
      local: '`events_local`',
      similar,
      together,
      halfLifeDays: 7,
    };
    const statements = emitSql('clickhouse', build);
    expect(emitSqlScript('clickhouse', build)).toContain(statements[0]);
    const built = await trainFromClickHouse(clients[0], {
      table: 'events',
      similar,
      together,
      halfLifeDays: 7,
    });
    const want = { similar: byId(built.neighbours), together: byId(built.together as Neighbours) };
    const got: Record<string, Record<string, { ids: string[]; scores: number[] }>> = {
      similar: {},
      together: {},
    };
    for (const statement of statements.slice(0, 2)) {
      const result = await clients[0].query({ query: statement, format: 'JSONEachRow' });
      const rows = (await result.json()) as {
        list: 'similar' | 'together';
        item: string;
        rank: number;
        neighbour: string;
        score: number;
      }[];
      for (const row of rows) {
        got[row.list][row.item] ??= { ids: [], scores: [] };
        const list = got[row.list][row.item];
        expect(row.rank).toBe(list.ids.length + 1);
        list.ids.push(row.neighbour);
        list.scores.push(Math.fround(row.score));
      }
    }
    const nonEmpty = (lists: Record<string, { ids: string[] }>) =>
      Object.fromEntries(Object.entries(lists).filter(([, l]) => l.ids.length > 0));
    expect(got.similar).toEqual(nonEmpty(want.similar));
    expect(got.together).toEqual(nonEmpty(want.together));
    const popularity = await clients[0].query({ query: statements[2], format: 'JSONEachRow' });
    const pop = (await popularity.json()) as { item: string; popularity: number }[];
    const index = new Map(built.neighbours.itemIds.map((id, i) => [id, i]));
    for (const row of pop)
      expect(Math.fround(row.popularity)).toBe(built.popularity[index.get(row.item) ?? -1]);
    expect(pop.length).toBeGreaterThan(100);
  });
});
