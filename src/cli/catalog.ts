/**
 * `likewise catalog`: writes the shop's catalogue as shards beside a model
 * and points the model's manifest at them, leaving the model's own files
 * alone (prices and stock change more often than the model). `likewise
 * train --catalog` writes them through the same functions.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isLikewiseError } from '../errors';
import { DEFAULT_ENTRIES_PER_SHARD, type ManifestCatalog } from '../model/catalogFormat';
import { validateManifest } from '../model/decodeModel';
import { type EncodedCatalog, encodeCatalog } from '../model/encodeCatalog';
import type { Manifest } from '../model/modelFormat';
import { defineCommand, integerOption, runCommand } from './runCommand';
import type { CliCommand } from './types';

/** `likewise catalog`'s option table. */
export const CATALOG = defineCommand({
  name: 'catalog',
  summary: 'write the catalogue as shards beside a model (model files untouched)',
  usage: '--catalog FILE [options]',
  description:
    "Writes the catalogue as small shards beside the model in --out and points\nits manifest.json at them. The model's own files are not touched.",
  options: {
    catalog: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'a JSON array of entries ({ id, title, url, image?, price?,\ncurrency?, category?, brand?, inStock? }), or NDJSON',
    },
    out: { type: 'string', value: 'DIR', help: "the model's directory", default: 'model' },
    'per-shard': {
      type: 'string',
      value: 'N',
      help: 'entries per shard on average',
      default: String(DEFAULT_ENTRIES_PER_SHARD),
    },
  },
});

/** A catalogue shard folder's name. */
const CATALOG_DIR = /^catalog-[0-9a-f]{8}$/;

/**
 * Reads a catalogue file: a JSON array of entries, or one entry per line.
 *
 * @throws Error with a message that says what is wrong with the file.
 */
export async function readCatalogFile(path: string): Promise<unknown[]> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const start = text.trimStart()[0];
  if (start === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`not valid JSON (${(e as Error).message})`);
    }
    return value as unknown[];
  }
  if (start !== '{') throw new Error('not a JSON array of entries nor NDJSON');
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new Error(`line ${i + 1} is not valid JSON`);
    }
  }
  return out;
}

/**
 * Writes the catalogue's shards into `dir` (each through a temporary name
 * and a rename). Folders are named after the catalogue's checksum, so the
 * files of an earlier catalogue stay for the pages that loaded its manifest.
 */
export async function writeCatalogFiles(dir: string, catalog: EncodedCatalog): Promise<void> {
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  await mkdir(join(dir, catalog.section.dir), { recursive: true });
  for (const file of catalog.files) {
    const target = join(dir, file.name);
    writeFileSync(target + tag, file.bytes);
    renameSync(target + tag, target);
  }
}

/**
 * Removes the catalogue folders in `dir` other than those named in `keep`
 * (the new catalogue's and the one the previous manifest named).
 */
export async function pruneCatalogs(dir: string, keep: readonly (string | undefined)[]) {
  const kept = new Set(keep.filter(Boolean).map((d) => d!.replace(/\/$/, '')));
  for (const name of await readdir(dir)) {
    if (CATALOG_DIR.test(name) && !kept.has(name))
      await rm(join(dir, name), { recursive: true, force: true });
  }
}

/** The manifest's bytes, written as `encodeModel` writes them. */
export function manifestBytes(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`);
}

/**
 * Reads and checks the likewise manifest in `dir`.
 *
 * @throws Error when there is none or it is no likewise model's.
 */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`no model in ${dir} (no manifest.json); run likewise train first`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not a likewise model manifest`);
  }
  return validateManifest(value, path);
}

/**
 * Writes `manifest` into `dir` through a temporary name and a rename, so a
 * reader sees the old manifest or the new one.
 */
export function writeManifest(dir: string, manifest: Manifest): void {
  const target = join(dir, 'manifest.json');
  const tmp = `${target}.tmp-${process.pid}-${Date.now().toString(36)}`;
  writeFileSync(tmp, manifestBytes(manifest));
  renameSync(tmp, target);
}

/** One line on what was written. */
export function describeCatalog(c: EncodedCatalog): string {
  const s: ManifestCatalog = c.section;
  return `  catalog: ${s.items} entries (${c.dropped} dropped) in ${s.shards} shards in ${s.dir}, ${s.bytes} bytes; ${(s.bytes / Math.max(1, s.items)).toFixed(1)} bytes per entry, ${(s.items / s.shards).toFixed(1)} entries per shard`;
}

/**
 * Encodes `entries` and writes them into the model in `dir`: the shards
 * first, then the manifest (rewritten with the new `catalog` section), then
 * catalogue folders older than the previous one go.
 *
 * @param manifest - The model's manifest as it is to be written.
 * @param previous - The catalogue folder the current manifest names, kept.
 */
export async function writeCatalog(
  dir: string,
  entries: readonly unknown[],
  manifest: Manifest,
  entriesPerShard?: number,
  previous = manifest.catalog?.dir,
): Promise<EncodedCatalog> {
  const encoded = encodeCatalog(entries, { entriesPerShard });
  await writeCatalogFiles(dir, encoded);
  writeManifest(dir, { ...manifest, catalog: encoded.section });
  await pruneCatalogs(dir, [encoded.section.dir, previous]);
  return encoded;
}

/**
 * Runs `likewise catalog`. Resolves 0 on success, 1 when the catalogue or
 * the model cannot be read or written, 2 on a usage error.
 *
 * @example await run(['--catalog', 'catalog.json', '--out', 'public/model'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = (argv, io) =>
  runCommand(CATALOG, argv, io, async (values) => {
    const per = integerOption(
      'per-shard',
      values['per-shard'],
      DEFAULT_ENTRIES_PER_SHARD,
      1,
      100_000,
    );
    const out = values.out ?? 'model';
    const fail = (message: string) => {
      io.stderr.write(`likewise catalog: ${message}\n`);
      return 1;
    };
    const dir = resolve(io.cwd, out);
    let manifest: Manifest;
    try {
      manifest = await readManifest(dir);
    } catch (e) {
      return fail(`cannot use ${out}: ${(e as Error).message}`);
    }
    let entries: unknown[];
    try {
      entries = await readCatalogFile(resolve(io.cwd, values.catalog));
    } catch (e) {
      return fail(`cannot read ${values.catalog}: ${(e as Error).message}`);
    }
    let encoded: EncodedCatalog;
    try {
      encoded = await writeCatalog(dir, entries, manifest, per);
    } catch (e) {
      const message = isLikewiseError(e) || e instanceof Error ? e.message : String(e);
      return fail(`cannot write the catalogue to ${out}: ${message}`);
    }
    io.stdout.write(
      `likewise catalog: wrote ${join(out, encoded.section.dir)}\n${describeCatalog(encoded)}\n`,
    );
    return 0;
  });
