/**
 * `likewise train --clickhouse URL --table NAME`: the model built inside
 * ClickHouse ({@link trainFromClickHouse}), written by the same encoder and
 * writer as `train --events`, so the browser reads the same files.
 */
import { resolve } from 'node:path';
import type { BuildOptions } from '../../engine/buildNeighbours';
import { BOUGHT_TOGETHER_TYPES } from '../../engine/recommend';
import { isLikewiseError } from '../../errors';
import { encodeModel, shardLayout } from '../../model/encodeModel';
import { type ModelSettings, modelInput } from '../train/modelInput';
import { listedFiles, writeModel } from '../train/writeModel';
import type { CliIo } from '../types';
import type { ClickHouseSource } from './clickHouseOptions';
import { quoteTable } from './clickHouseSql';
import { connectClickHouse } from './connectClickHouse';
import { emitSqlScript, type SqlDialect } from './emitSql';
import { type ClickHouseBuilt, trainFromClickHouse } from './trainFromClickHouse';

/** The similar and bought-together builds of `train` (as `train --events` makes them). */
export function trainBuilds(settings: ModelSettings): {
  similar: BuildOptions;
  together?: BuildOptions;
} {
  const { k, similarity, maxItemsPerUser, togetherK } = settings;
  return {
    similar: { k, similarity, maxItemsPerUser },
    together:
      togetherK > 0 ? { k: togetherK, types: BOUGHT_TOGETHER_TYPES, maxItemsPerUser } : undefined,
  };
}

/**
 * Prints the `--emit-sql` script for `dialect` over `table` (default
 * `events`) with `train`'s settings. Resolves 0.
 */
export function printSql(
  dialect: SqlDialect,
  table: string | undefined,
  settings: ModelSettings,
  io: CliIo,
): number {
  const name = table ?? 'events';
  io.stdout.write(
    emitSqlScript(dialect, {
      table: dialect === 'clickhouse' ? quoteTable(name) : name,
      ...trainBuilds(settings),
      halfLifeDays: settings.halfLifeDays,
    }),
  );
  return 0;
}

/**
 * Trains from `table` at `url` and writes the model to `settings.out`.
 * Resolves 0, or 1 (after a message) when ClickHouse or the output fails.
 */
export async function trainClickHouse(
  target: ClickHouseSource,
  settings: ModelSettings,
  io: CliIo,
): Promise<number> {
  const t0 = performance.now();
  const outDir = resolve(io.cwd, settings.out);
  try {
    await listedFiles(outDir);
  } catch (error) {
    io.stderr.write(
      `likewise train: cannot write the model to ${settings.out}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  const clients = await Promise.all(
    target.urls.map((url) => connectClickHouse({ ...target, url })),
  );
  let built: ClickHouseBuilt;
  try {
    built = await trainFromClickHouse(clients, {
      table: target.table,
      ...trainBuilds(settings),
      halfLifeDays: settings.halfLifeDays,
      itemShares: target.itemShares,
    });
  } catch (error) {
    io.stderr.write(
      `likewise train: cannot build from ClickHouse table ${target.table} at ${target.url}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const t1 = performance.now();
  const { neighbours, together, popularity } = built;
  let encoded: ReturnType<typeof encodeModel>;
  try {
    const input = modelInput({ neighbours, together, popularity }, settings, built);
    encoded = encodeModel(
      input,
      shardLayout(input, { shards: settings.shards, scoreBits: settings.scoreBits }),
    );
    await writeModel(outDir, encoded.files);
  } catch (error) {
    const message =
      isLikewiseError(error) || error instanceof Error ? error.message : String(error);
    io.stderr.write(`likewise train: cannot write the model to ${settings.out}: ${message}\n`);
    return 1;
  }
  const t2 = performance.now();
  const m = encoded.manifest;
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const cluster =
    (built.tables.local !== built.tables.scan ? ` (shards read ${built.tables.local})` : '') +
    (target.urls.length > 1 ? `, lists ranked on ${target.urls.length} nodes` : '');
  io.stdout.write(
    [
      `likewise train: ${built.events} events (${built.skipped} skipped), ${built.users} users, ${m.items} items, from ClickHouse ${built.tables.scan}${cluster}`,
      `  pairs: ${neighbours.indices.length} similar (k ${settings.k}, ${settings.similarity}), ${together?.indices.length ?? 0} bought together`,
      `  files: ${encoded.files.length} in ${settings.out} (${m.shards} shards)`,
      built.usersTables > 0
        ? `  per-user step: once per list, into a table on ${built.usersTables} node(s)`
        : "  per-user step: inside every list query (give every shard's URL to run it once)",
      `  rows streamed back: ${built.rows}`,
      `  seconds: ${s(t2 - t0)} (in ClickHouse ${s(t1 - t0)}, write ${s(t2 - t1)})`,
      '',
    ].join('\n'),
  );
  return 0;
}
