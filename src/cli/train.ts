/**
 * `likewise train`: event log in, model files out. Reads the log streaming
 * (the second half of a big file in a worker thread), builds the model
 * (`train/buildModel`) and writes `manifest.json` plus shards
 * (`train/encodeShards`, `train/writeModel`).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeConfig } from '../engine/tune';
import type { InteractionLog } from '../engine/types';
import { isLikewiseError } from '../errors';
import { type EncodedCatalog, encodeCatalog } from '../model/encodeCatalog';
import { encodeModel, shardLayout } from '../model/encodeModel';
import {
  describeCatalog,
  manifestBytes,
  pruneCatalogs,
  readCatalogFile,
  readManifest,
  writeCatalogFiles,
} from './catalog';
import { printSql, trainClickHouse } from './clickhouse/trainClickHouse';
import { explainSkips } from './describeSkips';
import { formatBytes, formatDuration } from './formatDuration';
import { garbageCollector } from './garbageCollector';
import { createProgress } from './progress';
import { type ParsedEventRange, readEvents } from './readEvents';
import { runCommand } from './runCommand';
import { runTuner } from './runTuner';
import { runWorkerTask, workerEntry } from './runWorkerTask';
import { type Built, buildModel } from './train/buildModel';
import { encodeShards } from './train/encodeShards';
import { modelInput } from './train/modelInput';
import { TRAIN, type TrainArgs, trainArgs, withConfig } from './train/trainArgs';
import { listedFiles, writeModel } from './train/writeModel';
import type { CliCommand, CliIo } from './types';

/** Off a terminal, stage lines are printed for inputs from this size (about a million events). */
const LONG_INPUT_BYTES = 16 << 20;

/** The similar build's cost per pair is printed from this many pairs. */
const PER_PAIR_MIN = 1_000_000;

const messageOf = (error: unknown) =>
  isLikewiseError(error) || error instanceof Error ? error.message : String(error);

/**
 * Runs `likewise train`. Resolves 0 on success, 1 when the log cannot be
 * read or the model cannot be written, 2 on a usage error.
 *
 * @example await run(['--events', 'events.csv', '--out', 'public/model'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = (argv, io) =>
  runCommand(TRAIN, argv, io, (values) => train(trainArgs(values), io));

async function train(given: TrainArgs, io: CliIo): Promise<number> {
  if (given.emitSql) return printSql(given.emitSql, given.table, given, io);
  if (given.clickhouse) return trainClickHouse(given.clickhouse, given, io);
  // trainArgs made sure one source is given.
  const events = given.events;
  if (events === undefined) return 2;
  let args = given;
  const t0 = performance.now();
  const eventsPath = resolve(io.cwd, events);
  let size = 0;
  try {
    size = statSync(eventsPath).size;
  } catch {
    // readEvents says why it cannot read the file.
  }
  const progress = createProgress(io, 'train', { long: size >= LONG_INPUT_BYTES });
  const show = progress.show;
  const fail = (message: string) => {
    progress.done();
    io.stderr.write(`likewise train: ${message}\n`);
    return 1;
  };
  const entry = args.threads > 1 ? workerEntry() : undefined;
  try {
    // Before the work: a directory holding another manifest.json is refused at once.
    await listedFiles(resolve(io.cwd, args.out));
  } catch (error) {
    io.stderr.write(
      `likewise train: cannot write the model to ${args.out}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  // The catalogue is read before the long work, so a bad file fails at once.
  let catalogEntries: unknown[] | undefined;
  if (args.catalog !== undefined) {
    try {
      catalogEntries = await readCatalogFile(resolve(io.cwd, args.catalog));
    } catch (error) {
      io.stderr.write(`likewise train: cannot read ${args.catalog}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  let log: Awaited<ReturnType<typeof readEvents>> | undefined;
  const collect = garbageCollector();
  try {
    log = await readEvents(eventsPath, {
      format: args.format,
      shared: entry !== undefined,
      userIds: false,
      collect,
      onProgress: (done, total) => show('reading events', total > 0 ? (0.25 * done) / total : 0),
      parallel:
        entry === undefined
          ? undefined
          : (task) => runWorkerTask<ParsedEventRange>(entry, 'readEventsRange', task),
    });
  } catch (error) {
    return fail(`cannot read ${events}: ${messageOf(error)}`);
  }
  const t1 = performance.now();
  // The readers' id tables and the parse buffers go before the build.
  collect();
  if (!explainSkips(progress.note, 'train', events, log)) {
    progress.done();
    return 1;
  }
  if (args.tune) {
    const tuned = runTuner(log, io.stdout);
    args = withConfig(args, tuned.config);
  }
  const facts = { events: log.length, skipped: log.skipped, users: log.userCount };
  const input = { log: log as InteractionLog | undefined };
  log = undefined;
  show('building: grouping users', 0.25);
  let built: Built;
  try {
    built = await buildModel(input, args, entry, show, collect);
  } catch (error) {
    return fail(`build failed: ${messageOf(error)}`);
  }
  const { neighbours, together, popularity, pairs, similarMs } = built;
  // The build's parts (the row chunks, the plan) go before the encoding.
  collect();
  const t2 = performance.now();
  show('writing model files', 0.9);
  let encoded: ReturnType<typeof encodeModel>;
  let catalogBuilt: EncodedCatalog | undefined;
  // Encoding is CPU; writing is the file system's, whose speed swings on a
  // shared disk (creating thousands of files after a large deletion): apart.
  let tEncoded = t2;
  const outDir = resolve(io.cwd, args.out);
  try {
    const input = modelInput({ neighbours, together, popularity }, args, facts);
    const layout = shardLayout(input, { shards: args.shards, scoreBits: args.scoreBits });
    encoded = encodeModel(input, {
      ...layout,
      shardBytes: await encodeShards(input, layout, entry),
    });
    tEncoded = performance.now();
    // Catalogue shards first, so the manifest never names a folder that is
    // not there yet; without --catalog the catalogue of the model this
    // replaces stays.
    const previous = await readManifest(outDir).catch(() => undefined);
    if (catalogEntries) {
      catalogBuilt = encodeCatalog(catalogEntries);
      await writeCatalogFiles(outDir, catalogBuilt);
      encoded.manifest.catalog = catalogBuilt.section;
    } else if (previous?.catalog) encoded.manifest.catalog = previous.catalog;
    await writeModel(outDir, withManifest(encoded));
    if (catalogBuilt)
      await pruneCatalogs(outDir, [catalogBuilt.section.dir, previous?.catalog?.dir]);
  } catch (error) {
    return fail(`cannot write the model to ${args.out}: ${messageOf(error)}`);
  }
  const t3 = performance.now();
  progress.done();
  const m = encoded.manifest;
  const shardBytes = m.bytes;
  const allBytes = encoded.files.reduce((a, f) => a + f.bytes.length, 0);
  const d = formatDuration;
  io.stdout.write(
    [
      `likewise train: ${facts.events} events (${facts.skipped} skipped), ${facts.users} users, ${m.items} items`,
      `  pairs: ${neighbours.indices.length} similar (k ${args.k}, ${args.similarity}), ${together?.indices.length ?? 0} bought together`,
      `  files: ${encoded.files.length} in ${args.out} (${m.shards} shards, ${formatBytes(allBytes)}; ${(shardBytes / Math.max(1, m.items)).toFixed(1)} bytes per item, ${formatBytes(shardBytes / m.shards)} per shard)`,
      `  time: ${d(t3 - t0)} (read ${d(t1 - t0)}, build ${d(t2 - t1)}, encode ${d(tEncoded - t2)}, write ${d(t3 - tEncoded)})`,
      // The cost per pair only means something once the pairs outweigh the fixed costs.
      `  similar build: ${pairs} ${args.similarity === 'sequence' ? `pairs within the window (${args.window} steps, both ways)` : 'co-occurring pairs (sum over users of items squared, after the cap)'} in ${d(similarMs)}${pairs >= PER_PAIR_MIN ? `, ${((similarMs * 1e6) / pairs).toFixed(1)} ns per pair` : ''}`,
      ...(args.config
        ? [`  tuned: ${describeConfig(args.config)} (recorded in manifest.json)`]
        : []),
      ...(catalogBuilt ? [describeCatalog(catalogBuilt)] : []),
      '',
    ].join('\n'),
  );
  return 0;
}

/** The model's files with `manifest.json` (last) written from `manifest` as it is now. */
function withManifest({ manifest, files }: ReturnType<typeof encodeModel>) {
  return files.map((f) =>
    f.name === 'manifest.json' ? { ...f, bytes: manifestBytes(manifest) } : f,
  );
}
