/**
 * Writing a model directory: every file through a temporary name, the
 * manifest last, and only model files ever replaced or removed.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Manifest, MODEL_FORMAT } from '../../model/modelFormat';

/** The names of the files `likewise train` writes (`shard-<n>-<checksum>.bin`, `popularity-<checksum>.json`). */
const MODEL_FILE = /^(shard-\d+-[0-9a-f]{8}\.bin|popularity-[0-9a-f]{8}\.json)$/;

/**
 * The file names listed by the likewise model in `dir`, or `undefined` when
 * `dir` has no `manifest.json`. Throws when its `manifest.json` is not a
 * likewise model's (a web app manifest, say): it is never overwritten.
 */
export async function listedFiles(dir: string): Promise<string[] | undefined> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let m: Partial<Manifest> | undefined;
  try {
    m = JSON.parse(text);
  } catch {}
  if (m?.format !== MODEL_FORMAT)
    throw new Error(`${path} is not a likewise model manifest; choose another --out directory`);
  return [...(m.files ?? []), m.popularity?.file].filter((f): f is string => !!f);
}

/**
 * Writes the model into `dir`: every file through a temporary name and a
 * rename, the manifest last, so a reader sees the old model or the new one,
 * never a mix. Shard names carry their checksum, so the previous model's
 * shards stay in place for pages that loaded its manifest; older ones go.
 * Only model files go, and only where a likewise model was before: other
 * files in `dir` are never touched.
 */
export async function writeModel(dir: string, files: { name: string; bytes: Uint8Array }[]) {
  await mkdir(dir, { recursive: true });
  const previous = await listedFiles(dir);
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  // A thousand small files, one after the other and the manifest (last in
  // `files`) after all of them, so it never names a shard that is not there
  // yet. Synchronous calls: nothing else runs meanwhile, and each file then
  // costs its system calls only, not a round trip through libuv's thread
  // pool per call, which costs more than writing a small file.
  for (const file of files) {
    const target = join(dir, file.name);
    writeFileSync(target + tag, file.bytes);
    renameSync(target + tag, target);
  }
  if (!previous) return;
  const keep = new Set([...previous, ...files.map((f) => f.name)]);
  for (const name of await readdir(dir)) {
    if (MODEL_FILE.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
  }
}
