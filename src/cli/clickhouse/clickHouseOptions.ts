/**
 * `train`'s ClickHouse options (`--clickhouse URL --table NAME --user U
 * --password P`, `--emit-sql DIALECT`), checked: which source the build
 * reads, and where.
 */
import { integerOption, UsageError } from '../runCommand';
import { clickHouseSink, type EventSink } from './clickHouseSink';
import { quoteTable } from './clickHouseSql';
import { connectClickHouse, credentials } from './connectClickHouse';
import type { SqlDialect } from './emitSql';

/** The option table entries `train` adds for ClickHouse. */
export const CLICKHOUSE_OPTIONS = {
  clickhouse: {
    type: 'string',
    value: 'URL',
    help: 'build inside ClickHouse (its HTTP interface, e.g. http://127.0.0.1:8123)\ninstead of from --events; needs --table. Several nodes of a cluster,\ncomma-separated: each merges and ranks its share of the items',
  },
  'item-shares': {
    type: 'string',
    value: 'N',
    help: "with --clickhouse: split the similar-item lists into N queries per\nnode, each holding 1/N of the pair counts (for a log whose pairs\noutgrow a query's memory)",
    default: '1',
  },
  table: {
    type: 'string',
    value: 'NAME',
    help: 'events table (user, item, timestamp, type), or a Distributed table\nsharded by user',
  },
  user: {
    type: 'string',
    value: 'NAME',
    help: 'ClickHouse user',
    default: '$LIKEWISE_CLICKHOUSE_USER, else default',
  },
  password: {
    type: 'string',
    value: 'P',
    help: 'ClickHouse password; better in $LIKEWISE_CLICKHOUSE_PASSWORD\n(the command line is visible to other users of the machine)',
  },
  'emit-sql': {
    type: 'string',
    value: 'DIALECT',
    help: 'print the build as SQL for clickhouse, bigquery or spark (over\n--table, default events) and exit',
  },
} as const;

/** Where a ClickHouse build reads. */
export interface ClickHouseSource {
  /** `--clickhouse` as given (one URL, or several comma-separated). */
  url: string;
  /** Each node's URL: the first runs the small queries, all share the lists. */
  urls: string[];
  table: string;
  /** Queries per node for the lists (`--item-shares`). */
  itemShares: number;
  user?: string;
  password?: string;
}

/**
 * Checks the ClickHouse options against `--events`: exactly one source.
 * Throws a `UsageError` naming the problem.
 */
export function clickHouseOptions(values: {
  events?: string;
  similarity?: string;
  tune?: boolean;
  catalog?: string;
  clickhouse?: string;
  table?: string;
  user?: string;
  password?: string;
  'emit-sql'?: string;
  'item-shares'?: string;
}): { clickhouse?: ClickHouseSource; emitSql?: SqlDialect } {
  const emit = values['emit-sql'];
  if (emit !== undefined && emit !== 'clickhouse' && emit !== 'bigquery' && emit !== 'spark')
    throw new UsageError(`--emit-sql must be clickhouse, bigquery or spark, got ${emit}`);
  const sources = [values.events, values.clickhouse, emit].filter((v) => v !== undefined);
  if (sources.length === 0) throw new UsageError('--events FILE is required');
  if (sources.length > 1)
    throw new UsageError('give one of --events FILE, --clickhouse URL and --emit-sql DIALECT');
  if (values.table !== undefined) {
    if (values.clickhouse === undefined && emit === undefined)
      throw new UsageError('--table needs --clickhouse URL');
    try {
      quoteTable(values.table);
    } catch (error) {
      throw new UsageError(`--${(error as Error).message}`);
    }
  }
  if (values.clickhouse !== undefined || emit !== undefined) {
    if (values.similarity === 'sequence')
      throw new UsageError(
        "--similarity sequence needs each user's event order: use --events (ClickHouse and --emit-sql build cosine, jaccard or conditional)",
      );
    if (values.tune) throw new UsageError('--tune needs --events (it evaluates on the log)');
    if (values.catalog !== undefined)
      throw new UsageError(
        '--catalog needs --events; beside a ClickHouse build, run likewise catalog',
      );
  }
  if (values.clickhouse === undefined) {
    for (const flag of ['user', 'password', 'item-shares'] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --clickhouse URL`);
    return { emitSql: emit };
  }
  if (values.table === undefined) throw new UsageError('--clickhouse needs --table NAME');
  const urls = values.clickhouse.split(',').map((u) => u.trim());
  for (const raw of urls) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {}
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
      throw new UsageError(
        `--clickhouse must be the http(s) URL of ClickHouse's HTTP interface (or several, comma-separated), got ${values.clickhouse}`,
      );
  }
  return {
    clickhouse: {
      url: values.clickhouse,
      urls,
      table: values.table,
      itemShares: integerOption('item-shares', values['item-shares'], 1, 1, 1024),
      ...credentials(values),
    },
  };
}

/** The option table entries `collect` adds for ClickHouse. */
export const COLLECT_CLICKHOUSE_OPTIONS = {
  clickhouse: {
    type: 'string',
    value: 'URL',
    help: 'also insert accepted batches into ClickHouse (its HTTP interface),\nbefore acknowledging them; needs --table',
  },
  table: {
    type: 'string',
    value: 'NAME',
    help: 'the events table (user, item, timestamp, type), or a Distributed one',
  },
  user: CLICKHOUSE_OPTIONS.user,
  password: CLICKHOUSE_OPTIONS.password,
} as const;

/**
 * The ClickHouse sink `collect`'s options ask for, or none. Throws a
 * `UsageError` for a table without a URL or the reverse.
 */
export function clickHouseSinkOf(values: {
  clickhouse?: string;
  table?: string;
  user?: string;
  password?: string;
}): Promise<EventSink> | undefined {
  if (values.clickhouse === undefined) {
    for (const flag of ['table', 'user', 'password'] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} needs --clickhouse URL`);
    return undefined;
  }
  const source = clickHouseOptions({ ...values, events: undefined }).clickhouse;
  if (!source) return undefined;
  if (source.urls.length > 1)
    throw new UsageError(
      `collect --clickhouse takes one URL (a Distributed table spreads the rows), got ${source.url}`,
    );
  return connectClickHouse(source).then((client) => clickHouseSink(client, source.table));
}
