/**
 * The SQL that builds a likewise model inside ClickHouse (18.16 and later):
 * per-user pair generation, pair counts, item norms, similarity and top-K
 * per item, and popularity, so only the lists and the item table come back.
 *
 * Cluster shape. A `Distributed` table sends to its shards only the SELECT
 * that reads it directly, and a GROUP BY there is finished on the initiator:
 * a per-user grouping written that way would ship every event to one node.
 * So each per-user step reads the shard's local table in the right side of
 * a JOIN whose left side is the Distributed table with `PREWHERE 0` (no
 * rows): a non-GLOBAL JOIN's subquery runs on each shard over its own rows,
 * an `ALL RIGHT JOIN` keeps every right row, and the pairs expanded and
 * summed after the join are partial sums per shard, merged across shards by
 * the initiator's GROUP BY (or, with item shares on several nodes, each
 * node merges its share's: see `ItemShare`). Events sharded by user make
 * each shard's users complete, so per-user caps and pairs are exact. On one
 * node (a table that is not Distributed) the per-user subquery is read
 * directly. `PREWHERE` needs a MergeTree-family table.
 *
 * A build run by `likewise train` computes the per-user step once instead
 * ({@link usersTableSql}): into a table on each node (each shard's from its
 * own users), read by every list query through a Distributed table over
 * them; the list queries then only expand and count.
 */
import type { BuildOptions, Similarity } from '../../engine/buildNeighbours';
import { EVENT_TYPE_CODES } from '../../engine/types';
import { typeWeights } from '../../engine/userItemMatrix';
import { LikewiseError } from '../../errors';

/** Where the events are: the table queried, and the table each shard reads (the same on one node). */
export interface EventTables {
  /** The table named by `--table` (a Distributed table or a local one), quoted. */
  scan: string;
  /** The shards' local table behind it (or `scan` itself), quoted. */
  local: string;
  /** The cluster named by the Distributed table (none on one node). */
  cluster?: string;
}

/**
 * Settings of the build's heavy queries, for 18.16 and later: GROUP BY and
 * ORDER BY spill to disk past 2 GB each instead of failing at the server's
 * per-query memory limit (the pair counts of a large log outgrow it), and
 * the initiator merges the shards' two-level aggregation states one bucket
 * at a time. Threads stay the server's default.
 */
export const BUILD_SETTINGS = {
  // Blocks of fewer users: each row of a users table expands into its
  // items squared, so a default block (65,536 users) would expand into
  // one column of gigabytes.
  max_block_size: '8192',
  max_bytes_before_external_group_by: '2000000000',
  max_bytes_before_external_sort: '2000000000',
  distributed_aggregation_memory_efficient: 1,
} as const;

/** Longest id in bytes, as `likewise train --events` skips longer ones. */
const MAX_ID_BYTES = 1024;
/** `MAX_TS` (2100-01-01) in seconds: a later time is no plausible date. */
const MAX_SECONDS = 4_102_444_800;

/**
 * Extra candidates per list fetched beyond K: ClickHouse's double arithmetic
 * may round a score to a neighbouring float32 where V8 does not, so the
 * final K are chosen in Node from K + this many, by the engine's own
 * arithmetic and order.
 */
export const LIST_MARGIN = 8;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Quotes a table name (`table` or `db.table`) for ClickHouse.
 *
 * @throws LikewiseError `INVALID_OPTION` when it is not one or two plain identifiers.
 * @example quoteTable('shop.events') // '`shop`.`events`'
 */
export function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p)))
    throw new LikewiseError(
      'INVALID_OPTION',
      `table must be a name like events or shop.events (letters, digits, _), got ${JSON.stringify(name)}`,
    );
  return parts.map((p) => `\`${p}\``).join('.');
}

/** A ClickHouse string literal. */
export function stringLiteral(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The rows `likewise train --events` would read: ids present and short, a known type, a plausible time. */
export function validRows(): string {
  const types = EVENT_TYPE_CODES.map(stringLiteral).join(', ');
  return `user != '' AND item != '' AND length(user) <= ${MAX_ID_BYTES} AND length(item) <= ${MAX_ID_BYTES} AND type IN (${types}) AND toUInt32(timestamp) < ${MAX_SECONDS}`;
}

/** The counted types of a build and the value of each (1 when binary). */
function countedWeights(options: BuildOptions): { types: string[]; weights: number[] } {
  const w = typeWeights(options);
  const types: string[] = [];
  const weights: number[] = [];
  EVENT_TYPE_CODES.forEach((type, c) => {
    if (w[c] > 0) {
      types.push(type);
      weights.push(w[c]);
    }
  });
  return { types, weights };
}

function checkSupported(options: BuildOptions): void {
  if (options.similarity === 'sequence')
    throw new LikewiseError(
      'INVALID_OPTION',
      'the ClickHouse build supports cosine, jaccard and conditional, not sequence',
    );
  if (options.halfLifeDays !== undefined || (options.shrinkage ?? 0) > 0)
    throw new LikewiseError(
      'INVALID_OPTION',
      'the ClickHouse build supports neither halfLifeDays nor shrinkage in the similarity build',
    );
}

const NUMERIC_ID = "'^(0|[1-9][0-9]*)$'";

/**
 * The sort key of `compareIds` for the id column `id`, as a ClickHouse
 * tuple's elements: numeric ids first, by length then digits (by value),
 * every other id after them by its bytes. ClickHouse compares UTF-8 bytes
 * where `compareIds` compares UTF-16 code units: the two orders differ only
 * between a character of U+E000..U+FFFF and one above U+FFFF.
 */
function idKey(id: string): [string, string, string] {
  const numeric = `match(${id}, ${NUMERIC_ID})`;
  return [`NOT ${numeric}`, `if(${numeric}, length(${id}), 0)`, id];
}

/**
 * Per user of the shard's local table: `top`, the (latest time, item hash,
 * value) of each distinct item with a counted event, the value being the
 * strongest signal (the largest weight), capped to the user's most recent
 * `maxItemsPerUser` items: latest time first, then, on equal times, the id
 * first in `compareIds` order, as `train --events` keeps them (a table has
 * no line order to break the tie). Items are keyed by `cityHash64(item)`:
 * pair counts on 64-bit keys, not strings (the item table checks that no two
 * ids share a hash).
 */
export function userItemsSql(local: string, options: BuildOptions): string {
  checkSupported(options);
  const { types, weights } = countedWeights(options);
  const value = `transform(type, [${types.map(stringLiteral).join(', ')}], [${weights.join(', ')}], 0)`;
  const cap = options.maxItemsPerUser;
  const where = `WHERE ${validRows()} AND type IN (${types.map(stringLiteral).join(', ')}) GROUP BY user, h`;
  if (cap === undefined)
    return `SELECT user, groupArray((t, h, v)) AS top FROM (SELECT user, cityHash64(item) AS h, max(${value}) AS v, max(toUInt32(timestamp)) AS t FROM ${local} ${where}) GROUP BY user`;
  const x = (n: number) => `tupleElement(x, ${n})`;
  // Sorted by time, then by the item's rank among the shard's own items:
  // that keeps the ids' order (a user's items are all on the shard) with a
  // number to compare, not a string.
  const sorted = `arraySort(x -> (-toInt64(${x(1)}), ${x(4)}), groupArray((t, h, v, r)))`;
  const top = `arrayMap(x -> (${x(1)}, ${x(2)}, ${x(3)}), arraySlice(${sorted}, 1, ${cap}))`;
  return `SELECT user, ${top} AS top FROM (SELECT user, cityHash64(item) AS h, max(${value}) AS v, max(toUInt32(timestamp)) AS t FROM ${local} ${where}) ANY LEFT JOIN (${rankedSql(local)}) USING h GROUP BY user`;
}

/**
 * Every item of `table` (any row) by hash `h`, with its id and `r`, its
 * rank in `compareIds` order among them. One ARRAY JOIN of the sorted array
 * and its indices: indexing the array per row instead (`s[r]`) would copy
 * the whole array into every row, items squared (16 GB at 100,000 items).
 */
function rankedSql(table: string, where = ''): string {
  return `SELECT tupleElement(e, 4) AS h, tupleElement(e, 3) AS id, r FROM (SELECT arraySort(groupArray((${idKey('id').join(', ')}, h))) AS s FROM (SELECT cityHash64(item) AS h, any(item) AS id FROM ${table} ${where} GROUP BY h)) ARRAY JOIN s AS e, arrayEnumerate(s) AS r`;
}

/**
 * `FROM` of a shard-local step: the scanned table with no rows, right-joined
 * to a per-user subquery over the local table. On one node (no Distributed
 * table) the subquery alone: the join would only cost a hash table of its
 * rows.
 */
function shardLocal({ scan, local }: EventTables, perUser: string): string {
  if (scan === local) return `FROM (${perUser})`;
  return `FROM ${scan} ALL RIGHT JOIN (${perUser}) USING user PREWHERE 0`;
}

/**
 * Fills `table` (a new MergeTree table, quoted) with the per-user step of
 * `local` ({@link userItemsSql}): one row per user, `n` its item count and
 * `top` its capped items, so the list queries read it instead of grouping
 * the events again (pairs and norms, in every share). Run on each shard:
 * the users it holds are complete there, so the caps are exact, and a
 * Distributed table over these tables gives every user once.
 */
export function usersTableSql(table: string, local: string, options: BuildOptions): string {
  // `n`: 18.16 cannot read a MergeTree table whose only column is an array
  // of tuples ("Could not find a column of minimum size").
  return `CREATE TABLE ${table} ENGINE = MergeTree ORDER BY tuple() AS SELECT length(\`top\`) AS n, \`top\` FROM (${userItemsSql(local, options)})`;
}

/**
 * `FROM` of the per-user rows: `users` (a table of {@link usersTableSql}'s
 * rows, or a Distributed table over them) when given, else the per-user
 * step inline, per shard.
 */
function usersFrom(tables: EventTables, options: BuildOptions, users?: string): string {
  return users ? `FROM ${users}` : shardLocal(tables, userItemsSql(tables.local, options));
}

/**
 * One share of the items: the items whose hash is `index` modulo `count`.
 * The lists of a share need only its rows' pair counts, so a build split
 * into shares holds `1 / count` of the pairs in each query, and the shares
 * can run on different nodes at once (each node then merges and ranks its
 * own items: the pairs are re-sharded by item).
 */
export interface ItemShare {
  index: number;
  count: number;
}

/**
 * Pair counts `(a, b, c)`: over the users who have both items, the sum of
 * the products of their values (the dot product of the two items' user
 * vectors); `(a, a)` is item a's squared norm. Each shard expands its own
 * users' pairs; the sums merge across shards. With `share`, only the rows
 * `a` of that share are expanded.
 */
export function pairCountsSql(
  tables: EventTables,
  options: BuildOptions,
  share?: ItemShare,
  users?: string,
): string {
  // Two arrayJoin() calls on different expressions give every ordered pair
  // (18.16 has no second ARRAY JOIN clause, and an ARRAY JOIN clause would run
  // before the JOIN that brings `top`).
  const rows =
    share && share.count > 1
      ? `arrayFilter(z -> tupleElement(z, 2) % ${share.count} = ${share.index}, top)`
      : 'top';
  return `SELECT tupleElement(arrayJoin(${rows}) AS x, 2) AS a, tupleElement(arrayJoin(arrayMap(z -> z, top)) AS y, 2) AS b, sum(tupleElement(x, 3) * tupleElement(y, 3)) AS c ${usersFrom(tables, options, users)} GROUP BY a, b`;
}

/** Squared norm `sq` of every item's (capped) user vector: the diagonal of the pair counts. */
export function itemNormsSql(tables: EventTables, options: BuildOptions, users?: string): string {
  return `SELECT tupleElement(arrayJoin(top) AS x, 2) AS h, sum(tupleElement(x, 3) * tupleElement(x, 3)) AS sq ${usersFrom(tables, options, users)} GROUP BY h`;
}

/** Every item's id hash `h`, its `id`, and `r`: its rank in `compareIds` order (numeric ids first, by value). */
export function idRanksSql({ scan }: EventTables): string {
  return rankedSql(scan, `WHERE ${validRows()}`);
}

/**
 * The engine's score of a pair (see `BuildOptions.similarity`) as
 * ClickHouse doubles, from `c`, `sa` (the row's norm) and `sb`.
 */
export function scoreSql(
  similarity: Similarity,
  alpha?: number,
  c = 'c',
  sa = 'sa',
  sb = 'sb',
): string {
  if (similarity === 'jaccard') return `${c} / (${sa} + ${sb} - ${c})`;
  const pow = (x: string, e: number) =>
    e === 0.5 ? `sqrt(${x})` : e === 1 ? x : e === 0 ? '1' : `pow(${x}, ${e})`;
  if (similarity === 'conditional') return `${c} / (${sa} * ${pow(sb, alpha ?? 0)})`;
  const a = alpha ?? 0.5;
  return `${c} / (${pow(sa, a)} * ${pow(sb, 1 - a)})`;
}

/**
 * Each item's best K + `margin` neighbours, one row per item: `a` (its
 * hash), `sa` (its squared norm), `bs` (neighbour hashes), `cs` (their pair
 * counts) and `ss` (their scores as ClickHouse computes them), chosen by
 * float32 score, ties by id as `compareIds` orders them. The pair counts
 * are joined to the column's norm and id rank once, and each item's list is
 * sorted on its own (no global sort of every pair). With `share`, the
 * lists of that share of the items only. With `users`, the per-user rows
 * are read from that table (see {@link usersTableSql}).
 */
export function neighboursSql(
  tables: EventTables,
  options: BuildOptions,
  margin = LIST_MARGIN,
  share?: ItemShare,
  users?: string,
): string {
  const k = (options.k ?? 50) + margin;
  const items = `SELECT h AS b, sq AS sb, toUInt32(r) AS rb FROM (${itemNormsSql(tables, options, users)}) ANY INNER JOIN (${idRanksSql(tables)}) USING h`;
  const withColumn = `SELECT a, b, c, sb, rb FROM (${pairCountsSql(tables, options, share, users)}) ANY INNER JOIN (${items}) USING b`;
  const perItem = `SELECT a, groupArray((b, c, sb, rb)) AS l FROM (${withColumn}) GROUP BY a`;
  const score = scoreSql(
    options.similarity ?? 'cosine',
    options.alpha,
    'tupleElement(x, 2)',
    'sa',
    'tupleElement(x, 3)',
  );
  const top = `arraySlice(arraySort(x -> (-toFloat32(${score}), tupleElement(x, 4)), arrayFilter(x -> tupleElement(x, 1) != a, l)), 1, ${k})`;
  // The scores are computed beside `sa`, in the SELECT that defines it: a
  // level up, 18.16 drops a column that only a lambda reads when the outer
  // query does not select it, then cannot find it.
  return `SELECT a, sa, arrayMap(x -> tupleElement(x, 1), top) AS bs, arrayMap(x -> tupleElement(x, 2), top) AS cs, ss FROM (SELECT a, tupleElement(arrayFirst(x -> tupleElement(x, 1) = a, l), 2) AS sa, ${top} AS top, arrayMap(x -> ${score}, top) AS ss FROM (${perItem}))`;
}

/** The facts of the log: usable events, skipped rows, distinct users, latest time (seconds). */
export function factsSql({ scan }: EventTables): string {
  return `SELECT countIf(${validRows()}) AS events, countIf(NOT (${validRows()})) AS skipped, uniqExactIf(user, ${validRows()}) AS users, maxIf(toUInt32(timestamp), ${validRows()}) AS latest FROM ${scan}`;
}

/**
 * Every item of the usable events: its hash, its id, and how many distinct
 * ids share that hash (more than 1 is a collision the build refuses).
 */
export function itemsSql({ scan }: EventTables): string {
  return `SELECT cityHash64(item) AS h, any(item) AS id, uniqExact(item) AS ids FROM ${scan} WHERE ${validRows()} GROUP BY h`;
}

/**
 * Popularity per item hash: the distinct users with a counted event (of
 * `options`' counted types) or, with a half-life, the sum over those users
 * of `0.5 ^ (age of their latest such event / halfLifeDays)` at `latestMs`
 * (a number, or a scalar subquery giving one).
 */
export function popularitySql(
  tables: EventTables,
  options: BuildOptions,
  halfLifeDays: number,
  latestMs: number | string,
): string {
  const { types } = countedWeights(options);
  const perUser = `SELECT user, cityHash64(item) AS h, max(toUInt32(timestamp)) AS t FROM ${tables.local} WHERE ${validRows()} AND type IN (${types.map(stringLiteral).join(', ')}) GROUP BY user, h`;
  // A scalar subquery goes in WITH: written inline, 18.16 names the
  // aggregate differently on the shards and on the initiator, and fails.
  const head = typeof latestMs === 'string' ? `WITH ${latestMs} AS latest_ms ` : '';
  const latest = typeof latestMs === 'string' ? 'latest_ms' : String(latestMs);
  // The engine's arithmetic: exp(-(LN2 / (days · 86 400 000)) · age in ms).
  const value =
    halfLifeDays > 0
      ? `exp(-(log(2) / (${halfLifeDays} * 86400000)) * greatest(0, ${latest} - toFloat64(t) * 1000))`
      : '1';
  return `${head}SELECT h, sum(${value}) AS popularity ${shardLocal(tables, perUser)} GROUP BY h`;
}
