// Events persisted per second through track() into IndexedDB
// (fake-indexeddb in Node; the real-browser figure is in the browser tests'
// output). Baseline measured in the same run: raw idb-keyval setMany of
// the same events, one key each, in batches of the same size.
import 'fake-indexeddb/auto';
import { performance } from 'node:perf_hooks';
import { createStore, setMany } from 'idb-keyval';
import { createLikewise } from '../dist/likewise.mjs';

const N = Number(process.argv[2] ?? 5000);
const events = Array.from({ length: N }, (_, i) => ({ type: 'view', itemId: `sku-${i % 500}` }));

async function viaTrack() {
  const lw = createLikewise({ site: `bench${Date.now()}`, maxEvents: N + 10 }, { indexedDB });
  const t = performance.now();
  const batch = 100;
  for (let i = 0; i < N; i += batch)
    await Promise.all(events.slice(i, i + batch).map((e) => lw.track(e)));
  const ms = performance.now() - t;
  const stored = (await lw.events()).length;
  lw.destroy();
  return { ms, stored };
}

async function baseline() {
  const store = createStore(`raw${Date.now()}`, 'kv');
  const t = performance.now();
  for (let i = 0; i < N; i += 100)
    await setMany(
      events
        .slice(i, i + 100)
        .map((e, j) => [`e:${i + j}`, { ...e, id: String(i + j), ts: Date.now() }]),
      store,
    );
  return performance.now() - t;
}

const base = await baseline();
const { ms, stored } = await viaTrack();
console.log(
  `track(): ${N} events, ${stored} stored, ${Math.round((N / ms) * 1000)} events/s ` +
    `(raw idb-keyval setMany baseline ${Math.round((N / base) * 1000)} events/s; ratio ${(base / ms).toFixed(2)})`,
);
