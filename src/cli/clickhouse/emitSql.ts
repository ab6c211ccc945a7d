/**
 * `likewise train --emit-sql clickhouse|bigquery|spark`: the model's lists
 * and popularity as SQL a shop runs in its own warehouse, each query ending
 * in a result of the columns {@link RESULT_COLUMNS} names.
 *
 * ClickHouse gets the queries `train --clickhouse` runs (one per list, so
 * each shard generates its own users' pairs; see `clickHouseSql.ts`), with
 * ids instead of hashes. BigQuery and Spark SQL get the same shape in
 * standard SQL: window functions for the per-user cap and the top K, and a
 * self-join on the user for the pairs (the shuffle by user is the engine's).
 */
import type { BuildOptions } from '../../engine/buildNeighbours';
import { EVENT_TYPE_CODES } from '../../engine/types';
import { typeWeights } from '../../engine/userItemMatrix';
import {
  type EventTables,
  idRanksSql,
  neighboursSql,
  popularitySql,
  stringLiteral,
  validRows,
} from './clickHouseSql';

/** The SQL dialects `--emit-sql` writes. */
export type SqlDialect = 'clickhouse' | 'bigquery' | 'spark';

/** The result columns of each emitted query. */
export const RESULT_COLUMNS = {
  lists:
    'list String (similar | together), item String, rank UInt32 (1 = best), neighbour String, score Float64',
  popularity: 'item String, popularity Float64',
} as const;

/** What to emit: the builds of `train` and the table name as the warehouse knows it. */
export interface EmitOptions {
  table: string;
  /** The shards' local table for ClickHouse (default: `table`). */
  local?: string;
  similar: BuildOptions;
  together?: BuildOptions;
  halfLifeDays: number;
}

const NUMERIC_ID = '^(0|[1-9][0-9]*)$';

/** The ClickHouse list query with ids: list, item, rank, neighbour, score. */
function clickHouseList(tables: EventTables, name: string, options: BuildOptions): string {
  const ids = idRanksSql(tables);
  const lists = `SELECT a, arrayJoin(arrayEnumerate(bs)) AS rank, bs[rank] AS b, ss[rank] AS score FROM (${neighboursSql(tables, options, 0)})`;
  const withB = `SELECT a, rank, id AS neighbour, score FROM (${lists}) ANY INNER JOIN (SELECT h AS b, id FROM (${ids})) USING b`;
  return `SELECT ${stringLiteral(name)} AS list, id AS item, rank, neighbour, score FROM (${withB}) ANY INNER JOIN (SELECT h AS a, id FROM (${ids})) USING a ORDER BY item, rank`;
}

/** Standard SQL (BigQuery or Spark) for one list. */
function standardList(d: SqlDialect, table: string, name: string, options: BuildOptions): string {
  const w = typeWeights(options);
  const counted = EVENT_TYPE_CODES.filter((_, c) => w[c] > 0);
  const value = `CASE type ${counted.map((t) => `WHEN '${t}' THEN ${w[EVENT_TYPE_CODES.indexOf(t)]}`).join(' ')} END`;
  const cap = options.maxItemsPerUser;
  const k = options.k ?? 50;
  const bytes = d === 'bigquery' ? 'BYTE_LENGTH' : 'OCTET_LENGTH';
  // compareIds order of an id column: numeric ids first, by value, then the rest.
  const idOrder = (col: string) => {
    const numeric =
      d === 'bigquery'
        ? `REGEXP_CONTAINS(${col}, r'${NUMERIC_ID}')`
        : `${col} RLIKE '${NUMERIC_ID}'`;
    return `CASE WHEN ${numeric} THEN 0 ELSE 1 END, CASE WHEN ${numeric} THEN LENGTH(${col}) ELSE 0 END, ${col}`;
  };
  const sq = (x: string) => `SQRT(${x})`;
  const similarity = options.similarity ?? 'cosine';
  const score =
    similarity === 'jaccard'
      ? 'c / (sa + sb - c)'
      : similarity === 'conditional'
        ? `c / (sa * POW(sb, ${options.alpha ?? 0}))`
        : (options.alpha ?? 0.5) === 0.5
          ? `c / (${sq('sa')} * ${sq('sb')})`
          : `c / (POW(sa, ${options.alpha}) * POW(sb, ${1 - (options.alpha ?? 0.5)}))`;
  return `WITH
  user_items AS (
    SELECT user, item, MAX(${value}) AS v, MAX(CAST(timestamp AS BIGINT)) AS t
    FROM ${table}
    WHERE user <> '' AND item <> '' AND ${bytes}(user) <= 1024 AND ${bytes}(item) <= 1024
      AND CAST(timestamp AS BIGINT) < 4102444800
      AND type IN (${counted.map((t) => `'${t}'`).join(', ')})
    GROUP BY user, item),
  capped AS (
    SELECT user, item, v FROM (
      SELECT user, item, v, ROW_NUMBER() OVER (PARTITION BY user ORDER BY t DESC, ${idOrder('item')}) AS n
      FROM user_items)
    ${cap === undefined ? '' : `WHERE n <= ${cap}`}),
  norms AS (SELECT item, SUM(v * v) AS sq FROM capped GROUP BY item),
  pairs AS (
    SELECT x.item AS a, y.item AS b, SUM(x.v * y.v) AS c
    FROM capped x JOIN capped y ON x.user = y.user AND x.item <> y.item
    GROUP BY x.item, y.item),
  scored AS (
    SELECT a, b, ${score} AS score FROM (
      SELECT p.a, p.b, p.c AS c, na.sq AS sa, nb.sq AS sb
      FROM pairs p JOIN norms na ON na.item = p.a JOIN norms nb ON nb.item = p.b)),
  ranked AS (
    SELECT a, b, score, ROW_NUMBER() OVER (
      PARTITION BY a
      ORDER BY CAST(score AS FLOAT) DESC, ${idOrder('b')}) AS rank
    FROM scored)
SELECT '${name}' AS list, a AS item, rank, b AS neighbour, score FROM ranked WHERE rank <= ${k}
ORDER BY item, rank`;
}

/** Standard SQL popularity: distinct users per item, decayed by the age of each user's latest event. */
function standardPopularity(
  d: SqlDialect,
  table: string,
  options: BuildOptions,
  halfLifeDays: number,
): string {
  const w = typeWeights(options);
  const counted = EVENT_TYPE_CODES.filter((_, c) => w[c] > 0);
  const value =
    halfLifeDays > 0 ? `EXP(-(LN(2) / (${halfLifeDays} * 86400000)) * (latest - t) * 1000)` : '1';
  void d;
  return `WITH
  valid AS (SELECT user, item, type, CAST(timestamp AS BIGINT) AS t FROM ${table}
    WHERE user <> '' AND item <> '' AND CAST(timestamp AS BIGINT) < 4102444800),
  latest AS (SELECT MAX(t) AS latest FROM valid),
  user_items AS (SELECT user, item, MAX(t) AS t FROM valid
    WHERE type IN (${counted.map((t) => `'${t}'`).join(', ')}) GROUP BY user, item)
SELECT item, SUM(${value}) AS popularity FROM user_items CROSS JOIN latest GROUP BY item
ORDER BY popularity DESC, item`;
}

/**
 * The statements for `dialect`, each ending with `;`, headed by comments
 * naming the result columns.
 *
 * @example emitSql('clickhouse', { table: 'events', similar: { k: 50 }, halfLifeDays: 7 })
 */
export function emitSql(dialect: SqlDialect, options: EmitOptions): string[] {
  const builds: [string, BuildOptions][] = [['similar', options.similar]];
  if (options.together) builds.push(['together', options.together]);
  if (dialect === 'clickhouse') {
    const tables = { scan: options.table, local: options.local ?? options.table };
    const latest = `(SELECT maxIf(toUInt32(timestamp), ${validRows()}) * 1000 FROM ${tables.scan})`;
    const popularity = popularitySql(tables, options.similar, options.halfLifeDays, latest);
    return [
      ...builds.map(([name, b]) => clickHouseList(tables, name, b)),
      `SELECT id AS item, popularity FROM (${popularity}) ANY INNER JOIN (SELECT cityHash64(item) AS h, any(item) AS id FROM ${tables.scan} WHERE ${validRows()} GROUP BY h) USING h ORDER BY popularity DESC, item`,
    ];
  }
  return [
    ...builds.map(([name, b]) => standardList(dialect, options.table, name, b)),
    standardPopularity(dialect, options.table, options.similar, options.halfLifeDays),
  ];
}

/** The script `--emit-sql` prints: the statements with their result columns. */
export function emitSqlScript(dialect: SqlDialect, options: EmitOptions): string {
  const statements = emitSql(dialect, options);
  const lists = statements.slice(0, -1);
  const out = [
    `-- likewise model queries for ${dialect}, over ${options.table} (user, item, timestamp in unix seconds, type).`,
    '-- Run each; load the results into `likewise train` or your own writer.',
    ...lists.map((s) => `-- result: ${RESULT_COLUMNS.lists}\n${s};`),
    `-- result: ${RESULT_COLUMNS.popularity}\n${statements[statements.length - 1]};`,
    '',
  ];
  return out.join('\n');
}
