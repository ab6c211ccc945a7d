/**
 * The options `train` takes for ClickHouse (`--clickhouse URL --table NAME
 * --user U --password P`, `--emit-sql DIALECT`), taken out of its argument
 * list; the rest are `train`'s own.
 */
import type { SqlDialect } from './emitSql';

/** What {@link clickHouseArgv} finds. */
export interface ClickHouseArgv {
  url?: string;
  table?: string;
  user?: string;
  password?: string;
  emitSql?: SqlDialect;
  /** The other arguments, in order. */
  rest: string[];
}

const FLAGS = ['--clickhouse', '--table', '--user', '--password', '--emit-sql'] as const;

/**
 * Splits the ClickHouse options out of `argv` (`--flag value` or
 * `--flag=value`). Returns a usage problem as a string.
 *
 * @example clickHouseArgv(['--clickhouse', 'http://127.0.0.1:8123', '--table', 'events', '--k', '20'])
 */
export function clickHouseArgv(argv: readonly string[]): ClickHouseArgv | string {
  const found: Partial<Record<(typeof FLAGS)[number], string>> = {};
  const rest: string[] = [];
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a];
    const eq = arg.indexOf('=');
    const flag = (eq > 0 ? arg.slice(0, eq) : arg) as (typeof FLAGS)[number];
    if (!FLAGS.includes(flag)) {
      rest.push(arg);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++a];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) return `${flag} needs a value`;
    found[flag] = value;
  }
  const emit = found['--emit-sql'];
  if (emit !== undefined && emit !== 'clickhouse' && emit !== 'bigquery' && emit !== 'spark')
    return `--emit-sql must be clickhouse, bigquery or spark, got ${emit}`;
  if (found['--clickhouse'] !== undefined) {
    if (found['--table'] === undefined) return '--clickhouse needs --table NAME';
    try {
      const url = new URL(found['--clickhouse']);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      return `--clickhouse must be an http(s) URL of ClickHouse's HTTP interface, got ${found['--clickhouse']}`;
    }
  }
  if (found['--clickhouse'] === undefined && emit === undefined) {
    for (const flag of ['--table', '--user', '--password'] as const)
      if (found[flag] !== undefined) return `${flag} needs --clickhouse URL`;
  }
  return {
    url: found['--clickhouse'],
    table: found['--table'],
    user: found['--user'],
    password: found['--password'],
    emitSql: emit,
    rest,
  };
}
