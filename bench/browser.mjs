// The demo home page in headless Chromium (issue #4 budgets): time from the
// likewise script's start, and from navigation start, to the first widget
// painted with a loaded model,
// and the longest main-thread task caused by likewise, for three visitors:
// new, returning (a few views), and one with 2,000 stored events (on-device
// training over them); and for the returning visitor's next view of the
// page. Prints figures; never fails on a slow machine.
//
//   npm run build && node bench/browser.mjs [--runs 3] [--rtt 100] [--waterfall] [--no-profiler]
//   LIKEWISE_DEMO_ROOT=/path/to/other/checkout node bench/browser.mjs ...   # that build's dist/ and pages
//   node bench/browser.mjs --baseline /path/to/other/checkout ...   # both, run by run in turns
//   node bench/browser.mjs --case new ...   # only the cases whose name starts so (here: new visitor)
//
// --rtt MS emulates that round-trip time on the page's requests (CDP
// Network.emulateNetworkConditions, no bandwidth limit); --waterfall prints,
// for one load of the demo product page (and of the home page), likewise's
// requests (its scripts, the model, the catalogue; the preloads of
// examples/partials/preload.html included): when each started and ended, in
// ms from navigation start, and when the script arrived.
//
// The demo's widget pages preload the manifest and the widget parts, so
// those often arrive before the script: the time after the script then
// says little about the page, and the time from navigation start is the
// figure to compare. Each case prints a calibration task too (a fixed loop
// in the same browser, test/browser/workload.mjs calibrate): what the
// machine's load made of a known task during that case.
//
// --no-profiler traces without V8's sampling profiler, which slows the
// page's JavaScript (no shopper runs it): the times are then the page's own,
// and the columns that need the profiler's samples (likewise tasks and
// JavaScript) print "-".
//
// How it measures, from a DevTools trace of the page load with V8's sampling
// profiler on:
// - start: the `EvaluateScript` of dist/likewise.iife.js (or likewise.full.js) on the page's main thread;
// - first widget: the first animation frame in which a [data-likewise] widget
//   shows items (an in-page probe marks it with console.timeStamp, and says
//   so on the console: the bench waits for that message, not with
//   page.waitForFunction, whose injected script would run on the page's main
//   thread during the load it measures); printed
//   after the script's start, after its arrival (the page's Resource Timing
//   `responseEnd`: an async script waits there while the shop's own script
//   holds the main thread) and from navigation start;
// - main-thread CPU: the thread time (`tdur`, time on a core, which a
//   loaded machine's waits do not inflate) of the main thread's tasks from
//   the script's start to the first widget, whoever's they are: the work
//   the page does on the way, the figure to compare on a busy machine;
// - a main-thread task (`RunTask`) is "caused by likewise" when, of the
//   profiler samples in it that run page JavaScript, at least half have a
//   likewise frame (dist/likewise*, dist/chunks/) on the stack: the SDK's
//   own callbacks, its script evaluation, and the shop's calls into the SDK.
//   Its whole duration counts (the garbage collection, style and layout it
//   causes included). The longest such task until 3 s after the first widget
//   is reported, with the longest task of any origin for comparison, and the
//   most likewise JavaScript time found in any one task (the shop's own
//   tasks included, where the SDK's promise callbacks often run at the end).
// - The Long Animation Frames API (`long-animation-frame`, frames over 50 ms)
//   attributes script time per entry point: its longest likewise entry is
//   printed too.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { findChromium } from '../test/browser/chromium.mjs';
import {
  calibrate,
  firstWidgetProbe,
  seedHistory,
  waitForFirstWidget,
} from '../test/browser/workload.mjs';
import { serveDemo } from './serveDemo.mjs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const rtt = args.includes('--rtt') ? Number(args[args.indexOf('--rtt') + 1]) : 0;
const waterfall = args.includes('--waterfall');
const profiler = !args.includes('--no-profiler');
const only = args.includes('--case') ? args[args.indexOf('--case') + 1] : '';
const BUDGET_MS = 50;
const CHROME_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const executablePath = findChromium();
if (!executablePath) {
  console.log('browser bench SKIPPED: no Chromium (install Debian chromium or set CHROME_PATH)');
  process.exit(0);
}
try {
  readFileSync('dist/likewise.iife.js');
} catch {
  console.log('browser bench needs the build: run `npm run build` first');
  process.exit(1);
}

const isLikewise = (url) => typeof url === 'string' && /\/dist\/(likewise|chunks\/)/.test(url);

/**
 * The main thread's profiler samples as [time in µs, kind] with kind
 * `likewise` (a likewise frame on the stack), `page` (other page script) or
 * `other` (garbage collection, the engine, idle).
 */
function samplesOf(events, pid, tid) {
  const profile = events.find((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid);
  if (!profile) return [];
  const nodes = new Map();
  const out = [];
  let t = profile.args.data.startTime;
  for (const c of events) {
    if (c.name !== 'ProfileChunk' || c.pid !== pid || c.id !== profile.id) continue;
    const { cpuProfile = {}, timeDeltas = [] } = c.args.data;
    for (const n of cpuProfile.nodes ?? []) nodes.set(n.id, n);
    (cpuProfile.samples ?? []).forEach((id, i) => {
      t += timeDeltas[i];
      out.push([t, id]);
    });
  }
  const kinds = new Map();
  const kindOf = (id) => {
    if (kinds.has(id)) return kinds.get(id);
    let kind = 'other';
    for (let n = nodes.get(id); n; n = nodes.get(n.parent)) {
      const url = n.callFrame?.url;
      if (isLikewise(url)) {
        kind = 'likewise';
        break;
      }
      if (url && /^https?:/.test(url)) kind = 'page';
    }
    kinds.set(id, kind);
    return kind;
  };
  return out.map(([ts, id]) => [ts, kindOf(id)]);
}

/** Main-thread figures from a trace, in ms. */
function analyse(trace) {
  const events = JSON.parse(trace.toString('utf8')).traceEvents;
  const start = events.find(
    (e) => e.name === 'EvaluateScript' && /likewise\.(iife|full)\.js/.test(e.args?.data?.url ?? ''),
  );
  const painted = events.find(
    (e) => e.name === 'TimeStamp' && e.args?.data?.message === 'likewise:first-widget',
  );
  if (!start || !painted) return undefined;
  const main = `${start.pid}:${start.tid}`;
  const until = painted.ts + 3e6;
  const byThread = (key) =>
    events.filter((e) => `${e.pid}:${e.tid}` === key && e.ts >= start.ts - 1e6 && e.ts <= until);
  const tasks = byThread(main).filter(
    (e) => e.name === 'RunTask' && e.ph === 'X' && e.ts + (e.dur ?? 0) >= start.ts,
  );
  const samples = samplesOf(events, start.pid, start.tid);
  let likewiseJs = 0;
  const ours = tasks.filter((t) => {
    const time = { likewise: 0, page: 0, other: 0 };
    const end = t.ts + (t.dur ?? 0);
    for (let i = 0; i + 1 < samples.length; i++)
      if (samples[i][0] >= t.ts && samples[i][0] < end)
        time[samples[i][1]] += Math.min(samples[i + 1][0], end) - samples[i][0];
    likewiseJs = Math.max(likewiseJs, time.likewise);
    return time.likewise > 0 && time.likewise >= time.page;
  });
  const longest = (list) => Math.max(0, ...list.map((t) => (t.dur ?? 0) / 1000));
  let cpu = 0;
  for (const t of tasks)
    if (t.ts < painted.ts && t.dur) {
      // A task that straddles either end counts for its share inside.
      const inside = Math.min(t.ts + t.dur, painted.ts) - Math.max(t.ts, start.ts);
      cpu += ((t.tdur ?? 0) * Math.max(0, inside)) / t.dur;
    }
  return {
    firstWidgetMs: (painted.ts - start.ts) / 1000,
    cpuMs: cpu / 1000,
    longestLikewiseTaskMs: longest(ours),
    likewiseTasks: ours.length,
    likewiseJsMs: likewiseJs / 1000,
    longestTaskMs: longest(tasks),
  };
}

/** A fresh context and page with, with `--rtt`, that round-trip time emulated. */
async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  if (rtt) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: rtt,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  return { context, page };
}

async function measure(browser, demo, catalog, history, warm) {
  const { context, page } = await openPage(browser);
  const ready = async () => {
    await page.waitForFunction(() => !!window.Likewise?.instance, undefined, { timeout: 15_000 });
    await page.evaluate(() => window.Likewise.instance.ready);
  };
  if (history) {
    await page.goto(new URL('privacy.html', demo.url).href);
    await ready();
    const held = await seedHistory(page, { count: history, items: catalog });
    if (held < history) throw new Error(`seeded ${held} of ${history} events`);
  }
  await context.addInitScript(firstWidgetProbe);
  await context.addInitScript(() => {
    window.__lwLoaf = [];
    try {
      new PerformanceObserver((list) => {
        for (const frame of list.getEntries())
          for (const s of frame.scripts ?? [])
            window.__lwLoaf.push({ url: s.sourceURL, duration: s.duration });
      }).observe({ type: 'long-animation-frame', buffered: true });
    } catch {
      // No Long Animation Frames API: the trace alone speaks.
    }
  });
  if (warm) {
    // One untraced view of the same page first, as a shopper's next page
    // view: the renderer, the scripts' compiled code and the Worker's are
    // warm. (The demo server sends `no-store` for every file but `catalog.json`,
    // which the browser may keep for a minute: the rest is fetched again.)
    const shown = waitForFirstWidget(page);
    await page.goto(demo.url);
    await shown;
    await page.waitForTimeout(1000);
  }
  await browser.startTracing(page, {
    categories: [
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      ...(profiler ? ['v8', 'disabled-by-default-v8.cpu_profiler'] : []),
    ],
  });
  const shown = waitForFirstWidget(page);
  await page.goto(demo.url);
  const first = await shown;
  const arrived = await page.evaluate(
    () =>
      performance
        .getEntriesByType('resource')
        .find((r) => /likewise\.(iife|full)\.js$/.test(new URL(r.name).pathname))?.responseEnd,
  );
  await page.waitForTimeout(3000);
  const figures = analyse(await browser.stopTracing());
  const loaf = await page.evaluate(() => window.__lwLoaf);
  const recs = await page.evaluate(
    (type) => window.Likewise.instance.recommend({ type, limit: 6 }),
    first.widget,
  );
  await context.close();
  return {
    ...figures,
    fromNavigationMs: first.at,
    afterArrivalMs: arrived === undefined ? undefined : first.at - arrived,
    widget: first.widget,
    reasons: [...new Set(recs.map((r) => r.reason?.kind))].join('/'),
    longestLoafLikewiseMs: Math.max(
      0,
      ...loaf.filter((s) => /\/dist\//.test(s.url ?? '')).map((s) => s.duration),
    ),
  };
}

/**
 * One load of `path` on the demo for a new visitor: likewise's requests
 * (scripts, model, catalogue), in ms from navigation start (start - end,
 * and the file), and when the script arrived and the first widget painted.
 */
async function waterfallOf(browser, demo, path) {
  const { context, page } = await openPage(browser);
  await context.addInitScript(firstWidgetProbe);
  const shown = waitForFirstWidget(page);
  await page.goto(new URL(path, demo.url).href);
  await shown;
  await page.waitForTimeout(1500);
  // The page's own Resource Timing: the product page without an id forwards
  // to its first item, and only the last page's requests are there.
  const { first, timed } = await page.evaluate(() => ({
    first: window.__lwFirstWidget.at,
    timed: performance.getEntriesByType('resource').map((r) => ({
      url: new URL(r.name).pathname,
      start: r.startTime,
      end: r.responseEnd,
    })),
  }));
  await context.close();
  const script = timed.find((r) => /likewise\.(iife|full)\.js$/.test(r.url));
  if (!script) return;
  console.log(`\n${path} waterfall${rtt ? ` at ${rtt} ms RTT` : ''}, ms from navigation start:`);
  for (const r of timed.sort((a, b) => a.start - b.start))
    if (/^\/(dist|model)\/|catalog\.json$/.test(r.url))
      console.log(`  ${fmt(r.start).padStart(7)} - ${fmt(r.end).padStart(7)}  ${r.url}`);
  console.log(
    `  script arrived at ${fmt(script.end)}; first widget painted at ${fmt(first)} (${fmt(first - script.end)} after the script)`,
  );
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const fmt = (v) => (v === undefined ? '-' : `${v.toFixed(1)}`);

// Another build's root (examples/, dist/) in place of this one: as in test/browser.
const demo = await serveDemo(process.env.LIKEWISE_DEMO_ROOT);
// --baseline DIR: that root's pages and build, measured in turns with this one.
const baseline = args.includes('--baseline')
  ? await serveDemo(args[args.indexOf('--baseline') + 1])
  : undefined;
const browser = await chromium.launch({ executablePath, headless: true, args: CHROME_ARGS });
try {
  if (waterfall) {
    for (const path of ['product.html', 'index.html']) await waterfallOf(browser, demo, path);
    process.exit(0);
  }
  const catalog = await (await fetch(new URL('catalog.json', demo.url))).json();
  const fantasy = catalog.filter((b) => b.category === 'Fantasy').slice(0, 5);
  const cases = [
    ['new visitor', 0, catalog],
    ['returning visitor (5 views)', 5, fantasy],
    ['2,000 stored events (on-device training)', 2000, catalog],
    ['returning, next view of the page', 5, fantasy, true],
  ];
  console.log(
    `demo home page, headless ${executablePath}, ${runs} runs each${rtt ? `, ${rtt} ms emulated RTT` : ''}${profiler ? '' : ', no profiler'}, median (worst); ms from the script's start`,
  );
  console.log(
    'case'.padEnd(48) +
      'first widget (scenario/reasons)'.padEnd(46) +
      'after arrival'.padEnd(20) +
      'from navigation'.padEnd(20) +
      'main-thread CPU'.padEnd(18) +
      'longest likewise task'.padEnd(24) +
      'most likewise JS/task'.padEnd(24) +
      'longest task (any)'.padEnd(22) +
      'LoAF>50ms likewise',
  );
  for (const [name, history, items, warm] of cases.filter(([name]) => name.startsWith(only))) {
    const servers = baseline ? [baseline, demo] : [demo];
    const all = servers.map(() => []);
    const calibration = await calibrate(browser);
    for (let i = 0; i < runs; i++)
      for (const [k, server] of servers.entries()) {
        const r = await measure(browser, server, items, history, warm);
        if (r.firstWidgetMs !== undefined) all[k].push(r);
      }
    for (const [k, results] of all.entries()) {
      const label = baseline ? `${name} (${k ? 'this build' : 'baseline'})` : name;
      if (!results.length) {
        console.log(`${label.padEnd(baseline ? 64 : 48)}no trace figures`);
        continue;
      }
      const col = (key) => {
        if (!profiler && (key === 'longestLikewiseTaskMs' || key === 'likewiseJsMs')) return '-';
        const values = results.map((r) => r[key]);
        return `${fmt(median(values))} (${fmt(Math.max(...values))})`;
      };
      console.log(
        label.padEnd(baseline ? 64 : 48) +
          `${col('firstWidgetMs')} ${results[0].widget}/${results[0].reasons}`.padEnd(46) +
          col('afterArrivalMs').padEnd(20) +
          col('fromNavigationMs').padEnd(20) +
          col('cpuMs').padEnd(18) +
          col('longestLikewiseTaskMs').padEnd(24) +
          col('likewiseJsMs').padEnd(24) +
          col('longestTaskMs').padEnd(22) +
          col('longestLoafLikewiseMs') +
          `   calibration task ${fmt(calibration)} ms`,
      );
    }
  }
  console.log(`target: longest likewise main-thread task under ${BUDGET_MS} ms`);
} finally {
  await browser.close();
  await demo.close();
  await baseline?.close();
}
