/**
 * `likewise collect --clickhouse URL --table NAME`: every accepted batch is
 * also inserted into a ClickHouse table of the log's columns (`user, item,
 * timestamp, type`), before the collector acknowledges it, so the loop
 * browser -> collector -> ClickHouse -> `train --clickhouse` needs no file.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { LikewiseEvent } from '../../types';
import { quoteTable } from './clickHouseSql';

/** One row of the events table. */
export interface EventTableRow {
  user: string;
  item: string;
  /** Unix seconds (the table's `UInt32`; a `DateTime` column takes them too). */
  timestamp: number;
  type: string;
}

/**
 * The rows `likewise train` reads from a collected event: the visitor (else
 * the session) as the user, one row per line item of a multi-item purchase,
 * none for an event without an item (a search).
 */
export function eventRows(event: LikewiseEvent): EventTableRow[] {
  const user = event.visitor ?? event.session;
  const timestamp = Math.floor(event.ts / 1000);
  const items = event.itemId
    ? [event.itemId]
    : (event.items ?? []).map((line) => line.itemId).filter((id): id is string => !!id);
  return items.map((item) => ({ user, item, timestamp, type: event.type }));
}

/** Where the collector stores batches besides its file. */
export interface EventSink {
  /** Stores the batch; resolves only once it is stored, rejects when it is not. */
  write(events: readonly LikewiseEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A sink inserting into `table` over `client`. An insert that ClickHouse
 * answered is stored (a synchronous insert into MergeTree, or into a
 * Distributed table with `insert_distributed_sync`, so an acknowledged batch
 * is on its shards). Event ids it stored are remembered, so a batch retried
 * after a later failure (the file) is not inserted twice.
 *
 * @example const sink = clickHouseSink(connectClickHouse({ url }), 'events');
 */
export function clickHouseSink(client: ClickHouseClient, table: string): EventSink {
  const quoted = quoteTable(table);
  const stored = new Set<string>();
  return {
    async write(events) {
      const fresh = events.filter((e) => !stored.has(e.id));
      const values = fresh.flatMap(eventRows);
      if (values.length > 0)
        await client.insert({
          table: quoted,
          values,
          format: 'JSONEachRow',
          clickhouse_settings: { insert_distributed_sync: 1 },
        });
      for (const e of fresh) stored.add(e.id);
    },
    close: () => client.close(),
  };
}
