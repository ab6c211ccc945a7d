#!/usr/bin/env node
// Benchmark and equality check of `likewise train --clickhouse`: starts a
// 2-shard clickhouse-server cluster on loopback (scripts/clickhouseCluster.mjs),
// loads a log into a one-node MergeTree table and into a Distributed table
// sharded by user, and trains from each and from the file (`train --events`).
// Prints wall time, the likewise process's peak RSS and the rows streamed
// back, and whether the model files are byte-identical to `train --events`'
// (manifest compared without its createdAt); where they differ, the largest
// score difference and whether every list holds the same ids in the same order.
// Runs: `one` (a MergeTree table on one node), `cluster1` (the Distributed
// table, every list merged on the node asked) and `cluster` (the Distributed
// table, each node merging and ranking its share of the items: --clickhouse
// URL,URL). Load averages (uptime) are printed before and after: on a shared
// machine the wall times are upper bounds.
//
//   node bench/clickhouse.mjs [--events 10000000]   the synthetic log of bench/train.mjs
//   node bench/clickhouse.mjs --data ../shared/data/ml-100k/events.csv [--cli dist/cli.mjs] [--nodes 2]
//        [--item-shares N] [--runs one,cluster1,cluster] [--train "--max-items-per-user 1000"]
//
// Needs clickhouse-server (Debian: apt-get install clickhouse-server) and
// `npm run build`. Nothing of --data is written into the repo (.bench/ only).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { findClickHouseServer, startClickHouseCluster } from '../scripts/clickhouseCluster.mjs';
import { generate } from './synthetic.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
if (!findClickHouseServer()) {
  console.log('bench/clickhouse.mjs: SKIPPED, clickhouse-server is not installed');
  process.exit(0);
}
// Another build of the CLI (a private copy, while `npm test` rebuilds dist/) can be measured with --cli.
const cli = resolve(args.cli ?? join(root, 'dist/cli.mjs'));
if (!existsSync(cli)) {
  console.error('bench/clickhouse.mjs: dist/cli.mjs is missing: run `npm run build` first.');
  process.exit(1);
}
const bench = join(root, '.bench');
mkdirSync(bench, { recursive: true });
let log = args.data ? resolve(args.data) : undefined;
if (!log) {
  const events = Number(args.events ?? 10_000_000);
  const scale = events / 10_000_000;
  log = join(bench, `events-${events}.csv`);
  if (!existsSync(log))
    await generate({
      events,
      users: Math.max(100, Math.round(1_000_000 * scale)),
      items: Math.max(100, Math.round(100_000 * Math.sqrt(scale))),
      out: log,
    });
}

const runs = (args.runs ?? 'one,cluster1,cluster').split(',');
const shares = args['item-shares'] ?? '1';
const extra = args.train ? args.train.split(' ').filter(Boolean) : [];
const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(', ');

const peak =
  'data:text/javascript,process.on("exit",()=>{process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n")})';

/** Runs the CLI; resolves its output, wall seconds and peak RSS (MB). */
async function likewise(argv) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', peak, cli, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise((r) => child.on('close', r));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`likewise ${argv.join(' ')} failed:\n${stdout}${stderr}`);
  const rss = Math.max(...[...stderr.matchAll(/maxrss (\d+)/g)].map((m) => Number(m[1]))) / 1024;
  return { stdout, seconds, rss };
}

/** The model decoder, bundled from the source (the bench runs without a TS loader). */
async function decoder() {
  const out = await build({
    entryPoints: [join(root, 'src/model/decodeModel.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** Every list of a model directory: `similar:id` / `together:id` -> { ids, scores }. */
function lists(model, dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const out = new Map();
  Array.from({ length: manifest.shards }, (_, s) => `${manifest.dir}${s}.json`).forEach(
    (file, s) => {
      const shard = model.decodeShard(readFileSync(join(dir, file)), manifest, s);
      for (const [id, lists] of shard)
        ['similar', 'together'].forEach((kind, k) => {
          out.set(`${kind}:${id}`, lists[k]);
        });
    },
  );
  return out;
}

/** Byte equality of two model directories (the manifest without createdAt), else the differences. */
async function compare(a, b) {
  // Every file, the shard folder's included.
  const names = (d) =>
    readdirSync(d, { recursive: true })
      .map(String)
      .filter((n) => statSync(join(d, n)).isFile())
      .sort();
  const manifest = (d) => {
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    delete m.createdAt;
    return JSON.stringify(m);
  };
  const same =
    JSON.stringify(names(a)) === JSON.stringify(names(b)) &&
    manifest(a) === manifest(b) &&
    names(a)
      .filter((n) => n !== 'manifest.json')
      .every((n) => readFileSync(join(a, n)).equals(readFileSync(join(b, n))));
  if (same) return 'byte-identical';
  const model = await decoder();
  const la = lists(model, a);
  const lb = lists(model, b);
  let order = 0;
  let maxDiff = 0;
  for (const [key, x] of la) {
    const y = lb.get(key);
    if (!y || JSON.stringify(x.ids) !== JSON.stringify(y.ids)) order++;
    else
      for (let i = 0; i < x.scores.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs(x.scores[i] - y.scores[i]));
  }
  return `differs: ${order} of ${la.size} lists with other ids or order, largest stored score difference ${maxDiff}`;
}

/** Sends a CSV file into a table over HTTP (streamed). */
async function load(url, table, file, settings = '') {
  const { createReadStream } = await import('node:fs');
  const res = await fetch(
    `${url}/?query=${encodeURIComponent(`INSERT INTO ${table} FORMAT CSVWithNames`)}${settings}`,
    { method: 'POST', body: createReadStream(file), duplex: 'half' },
  );
  if (!res.ok) throw new Error(await res.text());
}

async function sql(url, query) {
  const res = await fetch(url, { method: 'POST', body: query });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text;
}

const cluster = await startClickHouseCluster({ nodes: Number(args.nodes ?? 2) });
const rows = [];
try {
  const columns = '(user String, item String, timestamp UInt32, type String)';
  const t0 = performance.now();
  for (const url of cluster.urls) {
    await sql(
      url,
      `CREATE TABLE events_local ${columns} ENGINE = MergeTree ORDER BY (user, timestamp)`,
    );
    await sql(
      url,
      `CREATE TABLE events ${columns} ENGINE = Distributed(${cluster.cluster}, default, events_local, cityHash64(user))`,
    );
  }
  await sql(
    cluster.urls[0],
    `CREATE TABLE events_one ${columns} ENGINE = MergeTree ORDER BY (user, timestamp)`,
  );
  await load(cluster.urls[0], 'events_one', log);
  await load(cluster.urls[0], 'events', log, '&insert_distributed_sync=1');
  console.log(
    `loaded ${log} into events_one and the ${cluster.urls.length}-shard events in ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${loadAverage()})`,
  );

  // Named after the log, so runs over two logs at once do not share folders.
  const tag = basename(log).replace(/\.[^.]*$/, '');
  const file = join(bench, `ch-model-${tag}-file`);
  rmSync(file, { recursive: true, force: true });
  const base = await likewise(['train', '--events', log, '--out', file, ...extra]);
  rows.push({
    run: 'train --events (baseline)',
    ...base,
    streamed: '-',
    equal: '-',
    load: loadAverage(),
  });
  const n = cluster.urls.length;
  const shapes = {
    one: ['events_one', cluster.urls[0], 'train --clickhouse, one node'],
    cluster1: [
      'events',
      cluster.urls[0],
      `train --clickhouse, ${n}-shard Distributed, lists merged on 1 node`,
    ],
    cluster: [
      'events',
      cluster.urls.join(','),
      `train --clickhouse, ${n}-shard Distributed, lists merged on ${n} nodes`,
    ],
  };
  for (const name of runs) {
    const [table, urls, title] = shapes[name];
    const out = join(bench, `ch-model-${tag}-${name}`);
    rmSync(out, { recursive: true, force: true });
    const r = await likewise([
      'train',
      '--clickhouse',
      urls,
      '--table',
      table,
      '--item-shares',
      shares,
      '--out',
      out,
      ...extra,
    ]);
    const streamed = /rows streamed back: (\d+)/.exec(r.stdout)?.[1] ?? '?';
    const row = {
      run: title,
      ...r,
      streamed,
      equal: await compare(file, out),
      load: loadAverage(),
    };
    rows.push(row);
    console.log(
      `${title}: ${r.seconds.toFixed(1)} s, ${r.rss.toFixed(0)} MB, ${row.equal} (load average ${row.load})`,
    );
  }
} finally {
  await cluster.stop();
}
console.log(`\n${log} (--item-shares ${shares}${extra.length ? `, ${extra.join(' ')}` : ''})\n`);
console.log(
  '| run | wall s | peak RSS MB | rows streamed back | model vs train --events | load average after (1, 5, 15 min) |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.run} | ${r.seconds.toFixed(1)} | ${r.rss.toFixed(0)} | ${r.streamed} | ${r.equal} | ${r.load} |`,
  );
