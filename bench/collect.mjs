// `likewise collect` under load and faults, on loopback only, bounded in
// count and time. Two parts:
// 1. A flood: --clients concurrent clients each post --batches batches of
//    --size events; a fifth of every batch's ids are shared by all clients
//    (the same ids sent concurrently). Prints throughput and the collector's
//    peak RSS, and checks every acknowledged event is stored exactly once.
// 2. kill -9 while writes are in flight, --kills times, each followed by a
//    restart; then every batch is sent once more (the SDK's retry). Checks
//    nothing acknowledged is lost, every event is stored exactly once, and
//    no torn line parses as an event.
// Usage: node bench/collect.mjs [--clients 40] [--batches 50] [--size 50] [--kills 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '40' },
    batches: { type: 'string', default: '50' },
    size: { type: 'string', default: '50' },
    kills: { type: 'string', default: '5' },
  },
});
const CLIENTS = Number(values.clients);
const BATCHES = Number(values.batches);
const SIZE = Number(values.size);
const KILLS = Number(values.kills);
const bin = new URL('../bin/likewise.mjs', import.meta.url).pathname;

function startCollector(out) {
  const proc = spawn(
    process.execPath,
    [bin, 'collect', '--out', out, '--port', '0', '--rate', '1000000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((done, fail) => {
    let text = '';
    proc.stdout.on('data', (d) => {
      text += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) done({ proc, url: m[1] });
    });
    proc.stderr.on('data', (d) => (text += d));
    proc.on('exit', () => fail(new Error(`collector exited: ${text}`)));
  });
}
const exited = (proc) =>
  new Promise((done) =>
    proc.exitCode !== null || proc.signalCode ? done() : proc.on('exit', done),
  );

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
function post(url, body) {
  return new Promise((done) => {
    const req = request(
      `${url}/events`,
      { method: 'POST', agent, headers: { 'content-type': 'text/plain;charset=UTF-8' } },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode));
        res.on('error', () => done(0));
      },
    );
    req.on('error', () => done(0));
    req.end(body);
  });
}

const batchOf = (c, b) =>
  Array.from({ length: SIZE }, (_, i) => ({
    // A fifth of each batch: ids every client sends, at the same moment.
    id: i < SIZE / 5 ? `shared-${b}-${i}` : `c${c}-b${b}-${i}`,
    type: 'view',
    ts: 1_700_000_000_000 + b,
    session: `s${c}`,
    itemId: `sku-${(c * 7 + i) % 500}`,
  }));

/** Every client posts its batches one after another; all clients at once. */
async function flood(url, acked) {
  const t0 = performance.now();
  let posts = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let b = 0; b < BATCHES; b++) {
        const batch = batchOf(c, b);
        const status = await post(url, JSON.stringify(batch));
        posts++;
        if (status === 200) for (const e of batch) acked.add(e.id);
        else if (status === 0) return; // the collector is gone
      }
    }),
  );
  return { ms: performance.now() - t0, posts };
}

const peakRss = (pid) => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
};

/** Lines of the file: events by id, and lines that are no event (torn). */
function audit(out) {
  const counts = new Map();
  let torn = 0;
  let tornParsed = 0;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      torn++;
      continue;
    }
    if (typeof e?.id !== 'string' || typeof e.type !== 'string' || typeof e.ts !== 'number') {
      tornParsed++;
      continue;
    }
    counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  const doubled = [...counts.values()].filter((n) => n > 1).length;
  return { counts, torn, tornParsed, doubled };
}

const dir = mkdtempSync(join(tmpdir(), 'lw-bench-collect-'));
try {
  // 1. The flood.
  const out = join(dir, 'flood.ndjson');
  const c = await startCollector(out);
  const acked = new Set();
  const { ms, posts } = await flood(c.url, acked);
  const rss = peakRss(c.proc.pid);
  c.proc.kill('SIGTERM');
  await exited(c.proc);
  const a = audit(out);
  const distinct = CLIENTS * BATCHES * SIZE * 0.8 + BATCHES * SIZE * 0.2;
  const missing = [...acked].filter((id) => !a.counts.has(id)).length;
  console.log(
    `flood: ${CLIENTS} clients x ${BATCHES} batches x ${SIZE} events (${posts} posts, ` +
      `${CLIENTS * BATCHES * SIZE} events, ${distinct} distinct ids) in ${(ms / 1000).toFixed(2)} s: ` +
      `${Math.round((CLIENTS * BATCHES * SIZE) / (ms / 1000))} events/s, ${Math.round(posts / (ms / 1000))} posts/s; ` +
      `collector peak RSS ${rss.toFixed(0)} MB`,
  );
  console.log(
    `flood: stored ${a.counts.size} distinct ids, ${a.doubled} stored twice, ` +
      `${missing} acknowledged but missing -> ${a.doubled === 0 && missing === 0 && a.counts.size === distinct ? 'PASS' : 'FAIL'}`,
  );

  // 2. kill -9 in the middle of writes, then restarts.
  const crashOut = join(dir, 'crash.ndjson');
  const everAcked = new Set();
  let killedMidWrite = 0;
  for (let k = 0; k < KILLS; k++) {
    const s = await startCollector(crashOut);
    const run = flood(s.url, everAcked);
    // Kill while the clients are posting: after 50 to 300 ms of the flood.
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
    s.proc.kill('SIGKILL');
    await exited(s.proc);
    await run;
    agent.destroy();
    killedMidWrite++;
  }
  const beforeRetry = audit(crashOut);
  const lostAcked = [...everAcked].filter((id) => !beforeRetry.counts.has(id)).length;
  // The SDK's retry: every batch once more, to a restarted collector.
  const s = await startCollector(crashOut);
  await flood(s.url, new Set());
  s.proc.kill('SIGTERM');
  await exited(s.proc);
  const after = audit(crashOut);
  const ok =
    lostAcked === 0 &&
    after.doubled === 0 &&
    after.tornParsed === 0 &&
    after.counts.size === distinct;
  console.log(
    `kill -9: ${killedMidWrite} kills mid-flood, ${everAcked.size} ids acknowledged before a kill, ` +
      `${lostAcked} of them lost; ${beforeRetry.torn} torn lines (skipped by readers), ` +
      `${after.tornParsed} torn lines that parse as an event; after the retry ${after.counts.size} of ${distinct} ids, ` +
      `${after.doubled} stored twice -> ${ok ? 'PASS' : 'FAIL'}`,
  );
} finally {
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
