// @vitest-environment node
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
import { run as train } from '../../../src/cli/train';
import { type BuildOptions, buildNeighbours } from '../../../src/engine/buildNeighbours';
import { buildPopularity } from '../../../src/engine/buildPopularity';
import { REFERENCE_MODEL } from '../../../src/engine/evaluate';
import { BOUGHT_TOGETHER_TYPES } from '../../../src/engine/recommend';
import type { Neighbours } from '../../../src/engine/types';
import { recordingIo } from '../../support/recordingIo';
import { clickHouseLog, loadCluster, toCsv } from './clickHouseLog';

const server = findClickHouseServer();
if (!server) console.warn('SKIPPED: ClickHouse tests (clickhouse-server is not installed)');

let cluster: Awaited<ReturnType<typeof startClickHouseCluster>>;
let clients: ClickHouseClient[] = [];
let dir: string;
let csv: string;
const rows = clickHouseLog();

const PASSWORD = 'not on argv';

const io = () => recordingIo(dir);

/** The files of a model directory (its shard folder's included), the manifest without its build time. */
async function modelFiles(path: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const name = join(entry.parentPath, entry.name).slice(path.length + 1);
    const bytes = await readFile(join(path, name));
    if (name !== 'manifest.json') out[name] = bytes.toString('base64');
    else {
      const manifest = JSON.parse(bytes.toString('utf8'));
      delete manifest.createdAt;
      out[name] = JSON.stringify(manifest);
    }
  }
  return out;
}

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
    cluster = await startClickHouseCluster({
      nodes: 2,
      auth: { user: 'shop', password: PASSWORD },
    });
    clients = await Promise.all(cluster.urls.map((url) => connectClickHouse({ url })));
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

  /** The tables of the per-user step left on each node. */
  async function usersTablesLeft(): Promise<number> {
    let left = 0;
    for (const client of clients) {
      const result = await client.query({
        query: "SELECT count() AS n FROM system.tables WHERE name LIKE 'likewise_users_%'",
        format: 'JSONEachRow',
      });
      left += Number(((await result.json()) as { n: string }[])[0].n);
    }
    return left;
  }

  // The per-user step runs once per build in a table on each node when the
  // nodes are the whole cluster (or the table is not Distributed), and
  // inline in each list query when one node is asked for the cluster.
  for (const [table, nodes, itemShares, usersTables] of [
    ['events_one', 1, 1, 1],
    ['events', 1, 1, 0],
    ['events', 2, 2, 2],
  ] as const) {
    it(`builds the engine's lists and popularity from ${table}, lists on ${nodes} node(s) in ${itemShares} share(s) each`, async () => {
      const log = await readEvents(csv);
      const built = await trainFromClickHouse(clients.slice(0, nodes), {
        table,
        similar,
        together,
        halfLifeDays: 7,
        itemShares,
      });
      expect(built.usersTables).toBe(usersTables);
      expect(await usersTablesLeft()).toBe(0);
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
    }, 120_000); // a loaded machine runs a dozen cluster queries slowly
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

  it('train --clickhouse writes the files train --events writes, on one node and on the cluster', async () => {
    const cli = io();
    expect(
      await train(
        ['--events', 'events.csv', '--out', 'from-file', '--max-items-per-user', '50'],
        cli,
      ),
    ).toBe(0);
    const want = await modelFiles(join(dir, 'from-file'));
    expect(Object.keys(want).length).toBeGreaterThan(2);
    const env = { ...process.env };
    process.env.LIKEWISE_CLICKHOUSE_USER = 'shop';
    process.env.LIKEWISE_CLICKHOUSE_PASSWORD = PASSWORD;
    try {
      for (const [table, urls, shares] of [
        ['events_one', cluster.urls[0], '1'],
        ['events', cluster.urls[0], '1'],
        ['events', cluster.urls.join(','), '2'],
      ]) {
        const out = io();
        const code = await train(
          [
            '--clickhouse',
            urls,
            '--table',
            table,
            '--item-shares',
            shares,
            '--out',
            `${table}-${shares}`,
            '--max-items-per-user',
            '50',
          ],
          out,
        );
        expect(out.err.join('')).toBe('');
        expect(code).toBe(0);
        expect(out.out.join('')).toMatch(/rows streamed back: \d+/);
        if (shares === '2') expect(out.out.join('')).toContain('lists ranked on 2 nodes');
        expect(await modelFiles(join(dir, `${table}-${shares}`))).toEqual(want);
      }
      process.env.LIKEWISE_CLICKHOUSE_PASSWORD = 'wrong';
      const refused = io();
      expect(
        await train(['--clickhouse', cluster.urls[0], '--table', 'events', '--out', 'x'], refused),
      ).toBe(1);
      expect(refused.err.join('')).toContain(
        'likewise train: cannot build from ClickHouse table events',
      );
    } finally {
      process.env = env;
    }
  }, 120_000);

  it('train refuses ClickHouse options without what they need', async () => {
    for (const [argv, message] of [
      [['--clickhouse', cluster.urls[0]], '--clickhouse needs --table NAME'],
      [['--clickhouse', 'ftp://x', '--table', 't'], '--clickhouse must be the http(s) URL'],
      [['--table', 'events', '--events', 'events.csv'], '--table needs --clickhouse URL'],
      [['--clickhouse', cluster.urls[0], '--table', 'a;b'], 'table must be a name like events'],
      [['--emit-sql', 'oracle'], '--emit-sql must be clickhouse, bigquery or spark'],
      [['--events', 'events.csv', '--item-shares', '2'], '--item-shares needs --clickhouse URL'],
      [
        ['--clickhouse', `${cluster.urls[0]},ftp://x`, '--table', 't'],
        '--clickhouse must be the http(s) URL',
      ],
      [
        ['--clickhouse', cluster.urls[0], '--table', 't', '--item-shares', '0'],
        '--item-shares must be an integer from 1 to 1024, got 0',
      ],
    ] as const) {
      const out = io();
      const code = await train([...argv], out);
      expect(out.err.join('')).toContain(message);
      expect(code).toBeGreaterThan(0);
    }
  });

  it('train --emit-sql prints each dialect with the result columns', async () => {
    for (const dialect of ['clickhouse', 'bigquery', 'spark']) {
      const out = io();
      expect(await train(['--emit-sql', dialect, '--table', 'shop.events'], out)).toBe(0);
      const text = out.out.join('');
      expect(text).toContain(
        '-- result: list String (similar | together), item String, rank UInt32',
      );
      expect(text).toContain(dialect === 'clickhouse' ? '`shop`.`events`' : 'FROM shop.events');
      expect(text).toContain(dialect === 'clickhouse' ? ', 1, 50)' : 'rank <= 50');
    }
  });
});
