#!/usr/bin/env node
// A 100,000-item shop (bench/generateBigShop.mjs: catalogue, 2 M events,
// model and catalogue shards) served on localhost, measured in headless
// Chromium (issue #11 targets) on two pages:
// - product: a product page (JSON-LD of its item) with one `similar` widget;
// - home: a home page with `for-you`, for a visitor with 200 stored events
//   whose page before had for-you too (a returning visitor's usual path).
// Each page is measured with the catalogue shards beside the model (the tag
// has data-site and data-model only) and, for comparison, with the whole
// catalogue as one JSON file (data-catalog="catalog.json", as before #11).
//
//   npm run build && node bench/bigshop.mjs [--runs 3] [--dist DIR] [--mode shards|whole|both] [--waterfall] [--no-preload | --no-model-preload | --no-catalog-preload] [--rtt MS]
//   node bench/bigshop.mjs --baseline OTHER_DIST [--baseline-preload all|model|basic|no] [--baseline-file iife|full] ...
//   node bench/bigshop.mjs --file full --baseline dist --baseline-file iife   # likewise.full.js against the core and its widget file
//
// --baseline measures another build (its dist/) in turns with this one, run
// by run in the same browser, so both see the same load; its pages carry
// the preloads --baseline-preload names (default: the same as this build's;
// `model` is the pages before the catalogue shards were named).
//
// BIGSHOP_TRACE=PREFIX writes each page's last DevTools trace to
// PREFIX-product.json and PREFIX-home.json.
//
// The pages carry the preloads the README documents (the manifest, the
// widget file, popularity and, on the product page, its item's model shard
// and the catalogue shards of the items its widget shows first:
// likewise/node's `modelPreloads` with the model open in the server);
// `--no-catalog-preload` leaves the catalogue shards out (the pages before
// they were named), `--no-model-preload` every model file, `--no-preload`
// every preload.
//
// Figures per page, median (worst) of the runs:
// - bytes: what likewise transfers, uncompressed (its scripts, the model's
//   and the catalogue's files), counted by the server, Worker requests
//   included, and the same files gzipped (what a CDN would send);
// - longest task: the longest main-thread task (trace `RunTask`) from
//   navigation start until 1 s after the first widget (the page runs no
//   other script);
// - first widget: ms from navigation start to the first frame showing the
//   widget's items (test/browser/workload.mjs firstWidgetProbe; waited for
//   through its console message, so no Playwright script runs in the page
//   during the load);
// - the waterfall of the last run: each request's start and end, ms from
//   navigation start, as the server saw them;
// - round trips in a row (with --rtt MS): each page is loaded again with
//   that round-trip time emulated (CDP Network.emulateNetworkConditions, no
//   bandwidth limit), and the first widget's delay over the run without,
//   divided by MS, counts the round trips the first widget waits for one
//   after another, the page's own included: a figure the machine's load
//   hardly moves;
// - a calibration task, measured in the same browser before each page: a
//   fixed amount of JavaScript (a seeded loop), so the longest task can be
//   read against what this machine's load makes of a known task.
// Targets: 300 KB, no task over 50 ms, first widget within 250 ms.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { findChromium } from '../test/browser/chromium.mjs';
import {
  calibrate,
  firstWidgetProbe,
  seedHistory,
  waitForFirstWidget,
} from '../test/browser/workload.mjs';
import { generateBigShop } from './generateBigShop.mjs';
import { startShopServer } from './serveBigShop.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const runs = Number(arg('runs', 3));
const dist = resolve(arg('dist', 'dist'));
const mode = arg('mode', 'both');
const items = Number(arg('items', 100_000));
const events = Number(arg('events', 2_000_000));
const PRELOADS = ['all', 'model', 'basic', 'no'];
const preload = args.includes('--no-preload')
  ? 'no'
  : args.includes('--no-model-preload')
    ? 'basic'
    : args.includes('--no-catalog-preload')
      ? 'model'
      : 'all';
const rtt = Number(arg('rtt', 0));
const baselineDist = arg('baseline');
const baselinePreload = arg('baseline-preload', preload);
if (!PRELOADS.includes(baselinePreload))
  throw new Error(`--baseline-preload must be one of ${PRELOADS.join(', ')}`);
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const TARGETS = { bytes: 300 * 1024, task: 50, widget: 250 };

const isLikewise = (path) => path.startsWith('/dist/') || path.startsWith('/shop/');

async function measure(browser, server, kind, whole, catalog, productId, latency = 0) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const tab = await context.newPage();
  const q =
    (whole ? '&catalog=whole' : '') +
    (server.preload === 'all' ? '' : `&preload=${server.preload}`) +
    (server.file === 'full' ? '&file=full' : '');
  const target =
    kind === 'product'
      ? `${server.url}/product.html?id=${productId}${q}`
      : `${server.url}/home.html?x=1${q}`;
  if (kind === 'home') {
    // A visitor with 200 stored events: written through the SDK on another page first.
    await tab.goto(`${server.url}/home.html?x=0${q}`);
    await tab.waitForFunction(() => !!window.Likewise?.instance, undefined, { timeout: 30_000 });
    await tab.evaluate(() => window.Likewise.instance.ready);
    const shelf = catalog.filter((e) => /Range (1|2|3)\d?$/.test(e.category)).slice(0, 400);
    const held = await seedHistory(tab, { count: 200, items: shelf });
    if (held < 200) throw new Error(`seeded ${held} of 200 events`);
    // Then one more page with for-you, as a returning visitor had before:
    // its widget part read the history at its start (and left the prefetch
    // hint, likewise-<site>.recent, in a build that keeps one).
    await tab.goto(`${server.url}/home.html?x=0${q}`);
    await tab.waitForFunction(() => !!window.Likewise?.instance, undefined, { timeout: 30_000 });
    await tab.evaluate(() => window.Likewise.instance.recommend({ type: 'for-you' }));
    await tab.goto('about:blank');
  }
  const calibration = await calibrate(browser);
  await context.addInitScript(firstWidgetProbe);
  if (latency) {
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  await browser.startTracing(tab, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
  });
  server.mark();
  const shown = waitForFirstWidget(tab, 30_000);
  await tab.goto(target);
  const first = await shown;
  await tab.waitForTimeout(1000);
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents;
  if (process.env.BIGSHOP_TRACE)
    writeFileSync(`${process.env.BIGSHOP_TRACE}-${kind}.json`, JSON.stringify(trace));
  const nav = trace.find((e) => e.name === 'navigationStart' || e.name === 'NavigationStartToEnd');
  const main = trace.find(
    (e) => e.name === 'EvaluateScript' && /likewise\.(iife|full)\.js/.test(e.args?.data?.url ?? ''),
  );
  const begin = nav?.ts ?? main?.ts ?? 0;
  const until = begin + (first.at + 1000) * 1000;
  const tasks = trace.filter(
    (e) =>
      e.name === 'RunTask' &&
      e.ph === 'X' &&
      main &&
      e.pid === main.pid &&
      e.tid === main.tid &&
      e.ts >= begin &&
      e.ts <= until,
  );
  const requests = server.log.filter((r) => isLikewise(r.path)).sort((a, b) => a.start - b.start);
  await context.close();
  return {
    calibration,
    bytes: requests.reduce((a, r) => a + r.bytes, 0),
    gzip: requests.reduce((a, r) => a + gzipSync(r.body).length, 0),
    requests: requests.length,
    task: Math.max(0, ...tasks.map((t) => t.dur / 1000)),
    widget: first.at,
    shown: first.ids.length,
    waterfall: requests.map(({ path, start, end, bytes }) => ({ path, start, end, bytes })),
  };
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const executablePath = findChromium();
if (!executablePath) {
  console.log('bigshop bench SKIPPED: no Chromium (install Debian chromium or set CHROME_PATH)');
  process.exit(0);
}
const shop = await generateBigShop({
  items,
  events,
  out: `.bench/bigshop-${items}`,
  log: console.log,
});
const catalog = JSON.parse(readFileSync(join(shop.dir, 'catalog.json'), 'utf8'));
// A popular item with a full similar list: the first of the popularity file.
const manifest = JSON.parse(readFileSync(join(shop.dir, 'model', 'manifest.json'), 'utf8'));
// (The file is `[header, 1, [1, id, score, id, score, ...]]`: modelFormat.ts.)
const productId = JSON.parse(
  readFileSync(join(shop.dir, 'model', manifest.popularity.file), 'utf8'),
)[2][21];
const server = await startShopServer(shop.dir, catalog, dist);
server.preload = preload;
server.file = arg('file', 'iife');
const baseline =
  baselineDist &&
  (await startShopServer(shop.dir, catalog, resolve(baselineDist), { model: server.model }));
if (baseline) {
  baseline.preload = baselinePreload;
  baseline.file = arg('baseline-file', server.file);
}
const builds = baseline
  ? [
      [baseline, 'baseline'],
      [server, 'this build'],
    ]
  : [[server, '']];
const PAGES = {
  all: 'with the documented preloads',
  model: 'without the catalogue shard preloads',
  basic: 'with the manifest and widget preloads only',
  no: 'without preloads',
};
const browser = await chromium.launch({ executablePath, headless: true, args: CHROME_ARGS });
try {
  console.log(
    `${items} items, ${events} events; scripts from ${dist}; headless ${executablePath}; ${runs} runs, median (worst)`,
  );
  console.log(
    `targets: at most ${TARGETS.bytes / 1024} KB, no task over ${TARGETS.task} ms, first widget within ${TARGETS.widget} ms of navigation start`,
  );
  console.log(`pages ${PAGES[preload]}`);
  if (baseline)
    console.log(
      `baseline: scripts from ${resolve(baselineDist)}, pages ${PAGES[baselinePreload]}, measured in turns with this build`,
    );
  const modes = mode === 'both' ? ['whole', 'shards'] : [mode];
  for (const m of modes)
    for (const kind of ['product', 'home']) {
      const all = new Map(builds.map(([b]) => [b, []]));
      for (let i = 0; i < runs; i++)
        for (const [b] of builds)
          all.get(b).push(await measure(browser, b, kind, m === 'whole', catalog, productId));
      for (const [b, label] of builds) await report(b, label, all.get(b), kind, m);
    }
} finally {
  await browser.close();
  await server.close();
  await baseline?.close();
}

/** Prints one build's figures for one page (and, with --rtt, loads it again at that RTT). */
async function report(server, label, results, kind, m) {
  const col = (key, unit = '', scale = 1) => {
    const v = results.map((r) => r[key] / scale);
    return `${median(v).toFixed(1)}${unit} (${Math.max(...v).toFixed(1)})`;
  };
  console.log(
    `${`${kind} (${m === 'whole' ? 'data-catalog: whole JSON' : 'catalogue shards'})${label && `, ${label}`}`.padEnd(label ? 54 : 40)} bytes ${col('bytes', ' KB', 1024)}, gzip ${col('gzip', ' KB', 1024)}, ${results[0].requests} requests; longest task ${col('task', ' ms')}; first widget ${col('widget', ' ms')} (${results[0].shown} items)`,
  );
  console.log(
    `    calibration task ${col('calibration', ' ms')}; longest task / calibration ${median(results.map((r) => r.task / r.calibration)).toFixed(2)}`,
  );
  if (rtt) {
    const slow = [];
    for (let i = 0; i < runs; i++)
      slow.push(await measure(browser, server, kind, m === 'whole', catalog, productId, rtt));
    const at = (list) => median(list.map((r) => r.widget));
    console.log(
      `    at ${rtt} ms round-trip time: first widget ${at(slow).toFixed(0)} ms (${Math.min(...slow.map((r) => r.widget)).toFixed(0)}-${Math.max(...slow.map((r) => r.widget)).toFixed(0)}): ${((at(slow) - at(results)) / rtt).toFixed(1)} round trips in a row, the page's included`,
    );
  }
  if (args.includes('--waterfall')) {
    const last = results[results.length - 1];
    for (const r of last.waterfall)
      console.log(
        `    ${r.start.toFixed(0).padStart(5)} - ${r.end.toFixed(0).padStart(5)} ms ${String(r.bytes).padStart(9)} B  ${r.path}`,
      );
  }
}
