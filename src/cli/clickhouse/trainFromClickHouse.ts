/**
 * Builds the model's lists inside ClickHouse (see `clickHouseSql.ts`) and
 * streams back only the item table, the norms and each item's top K + a
 * margin; the final lists are scored and ordered here with the engine's own
 * arithmetic and tie order, so they are the lists `train --events` builds
 * from the same log.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { BuildOptions } from '../../engine/buildNeighbours';
import { idRanks } from '../../engine/compareIds';
import type { Neighbours } from '../../engine/types';
import { LikewiseError } from '../../errors';
import {
  BUILD_SETTINGS,
  type EventTables,
  factsSql,
  itemsSql,
  LIST_MARGIN,
  neighboursSql,
  popularitySql,
  quoteTable,
  stringLiteral,
  usersTableSql,
} from './clickHouseSql';
import { queryNumbers, queryRow, streamRows } from './connectClickHouse';

/** What to build. */
export interface ClickHouseBuild {
  /** `--table`: the events (a Distributed table or a local MergeTree one). */
  table: string;
  /** The similar-item build (k, similarity, maxItemsPerUser...). */
  similar: BuildOptions;
  /** The bought-together build, or none. */
  together?: BuildOptions;
  /** Popularity half-life in days (0: distinct users). */
  halfLifeDays: number;
  /**
   * Queries per node for each build's lists, each over a share of the items
   * (default 1): a query holds only its share's pair counts.
   */
  itemShares?: number;
}

/** What comes back: the model's parts and the facts of the build. */
export interface ClickHouseBuilt {
  neighbours: Neighbours;
  together?: Neighbours;
  popularity: Float32Array;
  events: number;
  skipped: number;
  users: number;
  /** Rows streamed back from ClickHouse. */
  rows: number;
  /** The tables read: the named one, and each shard's local one. */
  tables: EventTables;
  /**
   * Nodes that computed the per-user step once per build into a table
   * (0: every list query grouped the events itself, see {@link usersOnce}).
   */
  usersTables: number;
}

/**
 * The table to scan and the local table each shard reads: for a
 * `Distributed` table, the one named in its engine (`Distributed(cluster,
 * db, table, ...)`); for any other table, itself.
 */
export async function resolveTables(client: ClickHouseClient, table: string): Promise<EventTables> {
  const scan = quoteTable(table);
  const [db, name] = table.includes('.') ? table.split('.') : [undefined, table];
  const query = `SELECT engine, engine_full FROM system.tables WHERE database = ${db ? `'${db}'` : 'currentDatabase()'} AND name = '${name}'`;
  const found: string[][] = [];
  await streamRows(client, query, (f) => found.push(f));
  if (found.length === 0)
    throw new LikewiseError('INVALID_OPTION', `table ${table} does not exist in ClickHouse`);
  const [engine, full] = found[0];
  if (engine !== 'Distributed') return { scan, local: scan };
  const args = /^Distributed\(([^)]*)/.exec(full)?.[1].split(',') ?? [];
  const clean = (s: string | undefined) => (s ?? '').trim().replace(/^['`"]|['`"]$/g, '');
  const localDb = clean(args[1]);
  const localTable = clean(args[2]);
  if (!localTable) throw new Error(`cannot read the local table of ${table} from ${full}`);
  return {
    scan,
    local: quoteTable(localDb ? `${localDb}.${localTable}` : localTable),
    cluster: clean(args[0]),
  };
}

/** Per-item factors of the engine's denominator (`buildNeighbours`' `denominatorFactors`). */
function scorer(
  options: BuildOptions,
  sq: Float64Array,
): (a: number, b: number, c: number) => number {
  const similarity = options.similarity ?? 'cosine';
  if (similarity === 'jaccard') return (a, b, c) => c / (sq[a] + sq[b] - c);
  const alpha = options.alpha ?? (similarity === 'conditional' ? 0 : 0.5);
  const rowPow = new Float64Array(sq.length);
  const colPow = new Float64Array(sq.length);
  for (let i = 0; i < sq.length; i++) {
    rowPow[i] = similarity === 'cosine' ? sq[i] ** alpha : sq[i];
    colPow[i] = similarity === 'cosine' ? sq[i] ** (1 - alpha) : sq[i] ** alpha;
  }
  return (a, b, c) => c / (rowPow[a] * colPow[b]);
}

/** Parses `[1,2,3]` (a ClickHouse array of numbers in TabSeparated). */
function numbers(field: string): string[] {
  return field.length > 2 ? field.slice(1, -1).split(',') : [];
}

/**
 * One build's lists: each item's candidates with its own squared norm (so
 * every item that has a list brings its norm: the pairs are symmetric),
 * then scored as float32 and ordered by score descending, ties by id, K kept.
 * The items are split into `shares` per node; each node runs one share's
 * query at a time, so every node merges and ranks its own items at once.
 */
async function buildLists(
  clients: readonly ClickHouseClient[],
  shares: number,
  tables: EventTables,
  options: BuildOptions,
  index: Map<string, number>,
  itemIds: string[],
  rank: Uint32Array,
  count: (rows: number) => void,
  users?: string,
): Promise<Neighbours> {
  const n = itemIds.length;
  const sq = new Float64Array(n);
  // Each item's candidates in flat arrays (K + margin slots an item), not
  // an array or object per candidate: the process holds only these, and
  // the item table, whatever the log size.
  const width = (options.k ?? 50) + LIST_MARGIN;
  const candB = new Uint32Array(n * width);
  const candC = new Float64Array(n * width);
  const candN = new Uint32Array(n);
  const onRow = ([h, sa, bs, cs]: string[]) => {
    const a = index.get(h);
    if (a === undefined) return;
    sq[a] = Number(sa);
    const bl = numbers(bs);
    const cl = numbers(cs);
    const m = Math.min(bl.length, width);
    for (let x = 0; x < m; x++) {
      candB[a * width + x] = index.get(bl[x]) ?? a;
      candC[a * width + x] = Number(cl[x]);
    }
    candN[a] = m;
  };
  const total = clients.length * shares;
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < total) {
        const share = { index: next++, count: total };
        const sql = neighboursSql(tables, options, LIST_MARGIN, share, users);
        count(await streamRows(client, sql, onRow, BUILD_SETTINGS));
      }
    }),
  );
  const score = scorer(options, sq);
  const k = options.k ?? 50;
  const offsets = new Uint32Array(n + 1);
  const indices = new Uint32Array(n * k);
  const scores = new Float32Array(n * k);
  const b = new Uint32Array(width);
  const s = new Float32Array(width);
  for (let a = 0; a < n; a++) {
    let len = 0;
    for (let x = 0; x < candN[a]; x++) {
      const col = candB[a * width + x];
      if (col === a) continue;
      // Stored precision, as the engine keeps its candidates.
      const v = Math.fround(score(a, col, candC[a * width + x]));
      if (Number.isNaN(v)) continue;
      b[len] = col;
      s[len++] = v;
    }
    const order = Array.from({ length: len }, (_, x) => x);
    order.sort((p, q) => s[q] - s[p] || rank[b[p]] - rank[b[q]]);
    const kept = Math.min(len, k);
    for (let x = 0; x < kept; x++) {
      indices[offsets[a] + x] = b[order[x]];
      scores[offsets[a] + x] = s[order[x]];
    }
    offsets[a + 1] = offsets[a] + kept;
  }
  return {
    itemIds,
    offsets,
    indices: indices.slice(0, offsets[n]),
    scores: scores.slice(0, offsets[n]),
  };
}

/**
 * Whether the per-user step can be computed once per build on `clients`:
 * yes for a table that is not Distributed (each node reads its own); for a
 * Distributed table, only when the clients are every shard of its cluster
 * once (one replica each, and their local rows add up to the table's), since
 * each shard must write its own users' table.
 */
async function usersOnce(
  clients: readonly ClickHouseClient[],
  tables: EventTables,
): Promise<boolean> {
  if (tables.scan === tables.local) return true;
  if (!tables.cluster) return false;
  const shape = await queryNumbers(
    clients[0],
    `SELECT count() AS nodes, max(replica_num) AS replicas FROM system.clusters WHERE cluster = ${stringLiteral(tables.cluster)}`,
  );
  if (shape.nodes !== clients.length || shape.replicas !== 1) return false;
  // The total and each node's own count, asked at once.
  const [total, ...locals] = await Promise.all([
    queryNumbers(clients[0], `SELECT count() AS n FROM ${tables.scan}`),
    ...clients.map((c) => queryNumbers(c, `SELECT count() AS n FROM ${tables.local}`)),
  ]);
  return locals.reduce((s, l) => s + l.n, 0) === total.n;
}

/**
 * Runs `lists` with the per-user step of `options` computed once: each
 * client writes its local rows' users into a new table (in parallel: on a
 * cluster, every shard at once), and on a cluster each also gets a
 * Distributed table over them; `lists` receives the table to read. The
 * tables are dropped afterwards, whatever happens.
 */
async function withUsersTable<T>(
  clients: readonly ClickHouseClient[],
  tables: EventTables,
  options: BuildOptions,
  lists: (users: string) => Promise<T>,
): Promise<T> {
  const { db } = await queryRow(clients[0], 'SELECT currentDatabase() AS db');
  const name = `likewise_users_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const local = quoteTable(`${db}.${name}_local`);
  const dist = quoteTable(`${db}.${name}`);
  const created: ClickHouseClient[] = [];
  let failed = true;
  try {
    await Promise.all(
      clients.map(async (client) => {
        created.push(client);
        await client.command({
          query: usersTableSql(local, tables.local, options),
          clickhouse_settings: BUILD_SETTINGS,
        });
      }),
    );
    if (tables.scan !== tables.local)
      await Promise.all(
        clients.map((client) =>
          client.command({
            query: `CREATE TABLE ${dist} AS ${local} ENGINE = Distributed(${stringLiteral(tables.cluster ?? '')}, ${stringLiteral(db)}, ${stringLiteral(`${name}_local`)})`,
          }),
        ),
      );
    const result = await lists(tables.scan === tables.local ? local : dist);
    failed = false;
    return result;
  } finally {
    const drops = Promise.all(
      created.map(async (client) => {
        await client.command({ query: `DROP TABLE IF EXISTS ${dist}` });
        await client.command({ query: `DROP TABLE IF EXISTS ${local}` });
      }),
    );
    // After a failure, its error is the one to report, not the clean-up's.
    if (failed) await drops.catch(() => undefined);
    else await drops;
  }
}

/**
 * Builds the similar and bought-together lists and popularity of the events
 * in `build.table` inside ClickHouse. With several clients (nodes of one
 * cluster, each with the same tables), the first runs the small queries and
 * all of them share the lists' queries.
 *
 * @throws LikewiseError `INVALID_INPUT` when the table has no usable event
 *   or two item ids share a 64-bit hash; `INVALID_OPTION` for a bad table.
 * @example const built = await trainFromClickHouse(client, { table: 'events', similar: { k: 50 }, halfLifeDays: 7 });
 */
export async function trainFromClickHouse(
  nodes: ClickHouseClient | readonly ClickHouseClient[],
  build: ClickHouseBuild,
): Promise<ClickHouseBuilt> {
  const clients = Array.isArray(nodes) ? nodes : [nodes as ClickHouseClient];
  const client = clients[0];
  const shares = build.itemShares ?? 1;
  const tables = await resolveTables(client, build.table);
  let rows = 0;
  const count = (r: number) => {
    rows += r;
  };
  const facts = await queryNumbers(client, factsSql(tables));
  rows++;
  if (!(facts.events > 0))
    throw new LikewiseError(
      'INVALID_INPUT',
      `no usable events in ${build.table} (${facts.skipped} rows skipped)`,
    );
  const hashes: string[] = [];
  const itemIds: string[] = [];
  count(
    await streamRows(client, itemsSql(tables), ([h, id, ids]) => {
      if (ids !== '1')
        throw new LikewiseError(
          'INVALID_INPUT',
          `${ids} item ids share the 64-bit hash ${h} (one is ${JSON.stringify(id)}); the ClickHouse build cannot tell them apart`,
        );
      hashes.push(h);
      itemIds.push(id);
    }),
  );
  // Items in id order: the same input gives the same arrays whatever order ClickHouse streams.
  const order = Array.from(idRanks(itemIds));
  const sortedIds: string[] = new Array(itemIds.length);
  const index = new Map<string, number>();
  for (let i = 0; i < itemIds.length; i++) {
    sortedIds[order[i]] = itemIds[i];
    index.set(hashes[i], order[i]);
  }
  const rank = idRanks(sortedIds);
  const popularity = new Float32Array(sortedIds.length);
  count(
    await streamRows(
      client,
      popularitySql(tables, build.similar, build.halfLifeDays, facts.latest * 1000),
      ([h, p]) => {
        const i = index.get(h);
        if (i !== undefined) popularity[i] = Number(p);
      },
      BUILD_SETTINGS,
    ),
  );
  const once = await usersOnce(clients, tables);
  const lists = (options: BuildOptions) => {
    const run = (users?: string) =>
      buildLists(clients, shares, tables, options, index, sortedIds, rank, count, users);
    return once ? withUsersTable(clients, tables, options, run) : run();
  };
  const neighbours = await lists(build.similar);
  const together = build.together ? await lists(build.together) : undefined;
  return {
    neighbours,
    together,
    popularity,
    events: facts.events,
    skipped: facts.skipped,
    users: facts.users,
    rows,
    tables,
    usersTables: once ? clients.length : 0,
  };
}
