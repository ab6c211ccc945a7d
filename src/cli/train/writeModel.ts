/**
 * Writing a model directory: the shard folder whole under a temporary name
 * and a rename, every other file through a temporary name, the manifest
 * last, and only model files ever replaced or removed.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Manifest, MODEL_FORMAT } from '../../model/modelFormat';

/**
 * The names `likewise train` writes: the shard folder `model-<id>`, the
 * popularity file, and (version 1) `shard-<n>-<checksum>.bin`.
 */
const MODEL_FILE = /^(model-[0-9a-f]{8}|shard-\d+-[0-9a-f]{8}\.bin|popularity-[0-9a-f]{8}\.json)$/;

/**
 * The names listed by the likewise model in `dir` (its shard folder, or its
 * shard files for a version 1 model, and its popularity file), or
 * `undefined` when `dir` has no `manifest.json`. Throws when its
 * `manifest.json` is not a likewise model's (a web app manifest, say): it
 * is never overwritten.
 */
export async function listedFiles(dir: string): Promise<string[] | undefined> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let m: (Partial<Manifest> & { files?: unknown }) | undefined;
  try {
    m = JSON.parse(text);
  } catch {}
  if (m?.format !== MODEL_FORMAT)
    throw new Error(`${path} is not a likewise model manifest; choose another --out directory`);
  const files = Array.isArray(m.files) ? m.files : [];
  return [...files, m.dir?.replace(/\/$/, ''), m.popularity?.file].filter(
    (f): f is string => typeof f === 'string' && f !== '',
  );
}

/**
 * Writes the model into `dir`: the shards' folder (`model-<id>/`) whole
 * under a temporary name, then renamed, and every other file through a
 * temporary name and a rename, the manifest last, so a reader sees the old
 * model or the new one, never a mix. Folder names derive from the shards'
 * checksums, so a folder already there holds the same shards and is kept;
 * the previous model's folder stays for pages that loaded its manifest,
 * older ones go. Only model files go, and only where a likewise model was
 * before: other files in `dir` are never touched.
 */
export async function writeModel(dir: string, files: { name: string; bytes: Uint8Array }[]) {
  await mkdir(dir, { recursive: true });
  const previous = await listedFiles(dir);
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  // Thousands of small files, one after the other, and the manifest (last
  // in `files`) after all of them, so it never names a file that is not
  // there yet. Synchronous calls: nothing else runs meanwhile, and each
  // file then costs its system calls only, not a round trip through libuv's
  // thread pool per call, which costs more than writing a small file.
  // Whether each folder is there already (the same shards: kept), asked
  // once per folder, not per file; the others are written under `tag`.
  const there = new Map<string, boolean>();
  for (const file of files) {
    const slash = file.name.indexOf('/');
    if (slash < 0) continue;
    const folder = file.name.slice(0, slash);
    let kept = there.get(folder);
    if (kept === undefined) {
      kept = existsSync(join(dir, folder));
      there.set(folder, kept);
      if (!kept) mkdirSync(join(dir, folder + tag), { recursive: true });
    }
    if (!kept) writeFileSync(join(dir, folder + tag, file.name.slice(slash + 1)), file.bytes);
  }
  for (const [folder, kept] of there)
    if (!kept) renameSync(join(dir, folder + tag), join(dir, folder));
  for (const file of files) {
    if (file.name.includes('/')) continue;
    const target = join(dir, file.name);
    writeFileSync(target + tag, file.bytes);
    renameSync(target + tag, target);
  }
  if (!previous) return;
  const keep = new Set([...previous, ...files.map((f) => f.name.split('/')[0])]);
  for (const name of await readdir(dir)) {
    if (MODEL_FILE.test(name) && !keep.has(name))
      await rm(join(dir, name), { recursive: true, force: true });
  }
}
