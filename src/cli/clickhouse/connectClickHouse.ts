/**
 * The connection of `train --clickhouse` and `collect --clickhouse`: the
 * official `@clickhouse/client` over HTTP (it works against 18.16 for plain
 * queries, streamed results and JSONEachRow inserts; its query parameters
 * do not, so this code inlines quoted literals instead).
 */
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';

/** Environment variables read for the credentials. */
export const USER_ENV = 'LIKEWISE_CLICKHOUSE_USER';
export const PASSWORD_ENV = 'LIKEWISE_CLICKHOUSE_PASSWORD';

/** Where and as whom to connect. */
export interface ClickHouseTarget {
  /** HTTP interface, e.g. `http://127.0.0.1:8123`. */
  url: string;
  user?: string;
  password?: string;
}

/**
 * The credentials: the flags' values, else the environment's
 * ({@link USER_ENV}, {@link PASSWORD_ENV}), else ClickHouse's `default`
 * user without a password.
 */
export function credentials(
  flags: { user?: string; password?: string },
  env: NodeJS.ProcessEnv = process.env,
): { user?: string; password?: string } {
  return {
    user: flags.user ?? env[USER_ENV] ?? undefined,
    password: flags.password ?? env[PASSWORD_ENV] ?? undefined,
  };
}

/**
 * A client for `target`; queries may run for an hour (the build is one long
 * query per list). The client is imported on first use: `collect` and
 * `train` load it only when asked for ClickHouse.
 */
export async function connectClickHouse(target: ClickHouseTarget): Promise<ClickHouseClient> {
  const { ClickHouseLogLevel, createClient } = await import('@clickhouse/client');
  return createClient({
    url: target.url,
    username: target.user ?? 'default',
    password: target.password ?? '',
    request_timeout: 3_600_000,
    compression: { request: false, response: false },
    // Failures reach the caller, which says what failed: the client's own log would repeat it.
    log: { level: ClickHouseLogLevel.OFF },
    // A byte of headers a minute keeps proxies from closing an idle long
    // query; not more often, or an hour's headers would pass Node's limit.
    clickhouse_settings: {
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '60000',
    },
  });
}

/**
 * Runs a query and calls `onRow` with the fields of each TabSeparated row
 * (unescaped), streaming: the result is never held whole.
 */
export async function streamRows(
  client: ClickHouseClient,
  query: string,
  onRow: (fields: string[]) => void,
  settings?: ClickHouseSettings,
): Promise<number> {
  const result = await client.query({
    query,
    format: 'TabSeparated',
    clickhouse_settings: settings,
  });
  let rows = 0;
  for await (const batch of result.stream()) {
    for (const row of batch as { text: string }[]) {
      onRow(row.text.split('\t').map(unescapeField));
      rows++;
    }
  }
  return rows;
}

const ESCAPES: Record<string, string> = {
  b: '\b',
  f: '\f',
  r: '\r',
  n: '\n',
  t: '\t',
  '0': '\0',
  "'": "'",
  '\\': '\\',
};

/** A TabSeparated field as text (ClickHouse escapes `\`, tab, newline and a few more). */
function unescapeField(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/** A query's only row, its columns as text by name (JSON output; none when it has no row). */
export async function queryRow(
  client: ClickHouseClient,
  query: string,
): Promise<Record<string, string>> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  const rows = (await result.json()) as Record<string, string | number>[];
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(rows[0] ?? {})) out[key] = String(value);
  return out;
}

/** A query's only row, its columns as numbers by name (JSON output). */
export async function queryNumbers(
  client: ClickHouseClient,
  query: string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(await queryRow(client, query)))
    out[key] = Number(value);
  return out;
}
