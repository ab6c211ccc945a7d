/**
 * A generated shop log for the ClickHouse tests, as CSV lines (what `train
 * --events` reads) and as table rows (what ClickHouse stores), plus loading
 * it into a cluster started by scripts/clickhouseCluster.mjs: a plain
 * MergeTree table on the first node (`events_one`), and a `Distributed`
 * table (`events`) over a local table (`events_local`) on every node,
 * sharded by user.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { rng } from '../../engine/synthetic';

/** One event as ClickHouse stores it. */
export interface EventRow {
  user: string;
  item: string;
  timestamp: number;
  type: string;
}

const TYPES = ['view', 'view', 'view', 'click', 'add_to_cart', 'purchase', 'impression'];

/**
 * A seeded log: users browse a favourite category, some cart and buy, one
 * "bot" views more items than the test's per-user cap, four items a second,
 * so the cap falls inside a tie (both builds keep the ids first in
 * `compareIds` order there: a table has no line order), and a few rows
 * `train` skips (unknown type, empty item).
 */
export function clickHouseLog(seed = 7, users = 400, items = 300): EventRow[] {
  const random = rng(seed);
  const rows: EventRow[] = [];
  let t = 1_700_000_000;
  for (let u = 0; u < users; u++) {
    const category = Math.floor(random() * 15);
    const n = 2 + Math.floor(random() * 12);
    for (let e = 0; e < n; e++) {
      const inCategory = random() < 0.8;
      const item = inCategory
        ? category * 20 + Math.floor(random() * 20)
        : Math.floor(random() * items);
      // Some equal times: a basket's events share a second.
      if (random() < 0.7) t += 1 + Math.floor(random() * 50);
      rows.push({
        user: `u${u}`,
        item: item % 9 === 0 ? `sku-${item}` : String(item),
        timestamp: t,
        type: TYPES[Math.floor(random() * TYPES.length)],
      });
    }
  }
  for (let i = 0; i < 120; i++)
    rows.push({ user: 'bot', item: String(i * 2), timestamp: t + Math.floor(i / 4), type: 'view' });
  rows.push({ user: 'u1', item: '5', timestamp: t, type: 'wishlist' });
  rows.push({ user: 'u2', item: '', timestamp: t, type: 'view' });
  return rows;
}

/** The rows as the CSV `train --events` reads. */
export function toCsv(rows: readonly EventRow[]): string {
  return `user,item,timestamp,type\n${rows.map((r) => `${r.user},${r.item},${r.timestamp},${r.type}`).join('\n')}\n`;
}

const COLUMNS = '(user String, item String, timestamp UInt32, type String)';

/**
 * Creates the tables on every node of the cluster and loads `rows`: all of
 * them into `events_one` (first node), and through the Distributed table
 * `events` (synchronously, so they are on the shards when this resolves).
 */
export async function loadCluster(
  clients: ClickHouseClient[],
  rows: readonly EventRow[],
  cluster: string,
): Promise<void> {
  for (const client of clients) {
    await client.command({
      query: `CREATE TABLE events_local ${COLUMNS} ENGINE = MergeTree ORDER BY (user, timestamp)`,
    });
    await client.command({
      query: `CREATE TABLE events ${COLUMNS} ENGINE = Distributed(${cluster}, default, events_local, cityHash64(user))`,
    });
  }
  await clients[0].command({
    query: `CREATE TABLE events_one ${COLUMNS} ENGINE = MergeTree ORDER BY (user, timestamp)`,
  });
  await clients[0].insert({ table: 'events_one', values: [...rows], format: 'JSONEachRow' });
  await clients[0].insert({
    table: 'events',
    values: [...rows],
    format: 'JSONEachRow',
    clickhouse_settings: { insert_distributed_sync: 1 },
  });
}
