// Where the demo home page's time goes between the likewise script's start
// and the first widget, for a new visitor: one traced load in headless
// Chromium (V8's sampling profiler on), then
// - the main thread's time in between, split into likewise's JavaScript
//   (a dist/likewise* frame on the stack), the page's own JavaScript,
//   the rest (style, layout, paint, garbage collection, compiling) and idle;
// - likewise's functions by sampled time (inclusive), named through the
//   build's source maps (file and line in src/);
// - the main thread's trace events in between by total duration (style,
//   layout, paint, compiling, garbage collection...: what "the rest" is made of);
// - the opening of IndexedDB databases and storage buckets on the way.
// One load says little on a loaded machine: run it a few times.
//
//   npm run build && node bench/traceDemo.mjs [--path product.html?id=bk-0007] [--consent granted] [--save trace.json]
//
// `--save FILE` writes the trace too, for Chromium's DevTools (Performance, Load profile).
//
// `--consent granted` answers the demo's consent banner first (as a visitor
// who accepted it, with nothing stored yet): the page then stores.
import { readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { chromium } from 'playwright-core';
import { findChromium } from '../test/browser/chromium.mjs';
import { firstWidgetProbe, waitForFirstWidget } from '../test/browser/workload.mjs';
import { serveDemo } from './serveDemo.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback;
const path = arg('path', '');
const granted = arg('consent', 'pending') === 'granted';
const executablePath = findChromium();
if (!executablePath) {
  console.log('trace SKIPPED: no Chromium (install Debian chromium or set CHROME_PATH)');
  process.exit(0);
}

const maps = new Map();
/** A sampled frame as `name@file.ts:line` through dist/'s source maps, else as it is. */
function frameName({ url, functionName, lineNumber, columnNumber }) {
  const file = new URL(url).pathname.replace(/^\//, '');
  if (!maps.has(file)) {
    try {
      maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
    } catch {
      maps.set(file, null);
    }
  }
  const entry = maps.get(file)?.findEntry(lineNumber, columnNumber);
  if (!entry?.originalSource) return `${functionName || '(anonymous)'}@${file}`;
  const source = entry.originalSource.split('/').pop();
  return `${entry.name || functionName || '(anonymous)'}@${source}:${entry.originalLine + 1}`;
}

// Another build's root (examples/, dist/) in place of this one, as in bench/browser.mjs.
const demo = await serveDemo(process.env.LIKEWISE_DEMO_ROOT);
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (granted)
    await context.addInitScript(() => {
      try {
        localStorage.setItem('folio-consent', 'granted');
      } catch {}
    });
  await context.addInitScript(firstWidgetProbe);
  // Every database and bucket the page opens, with when the open succeeded.
  await context.addInitScript(() => {
    const opens = [];
    window.__lwOpens = opens;
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (name, version) {
      const at = performance.now();
      const request = open.call(this, name, version);
      request.addEventListener('success', () => opens.push([name, at, performance.now()]));
      return request;
    };
    const buckets = navigator.storageBuckets;
    if (buckets) {
      const openBucket = buckets.open.bind(buckets);
      buckets.open = (name, options) => {
        const at = performance.now();
        return openBucket(name, options).then((b) => {
          opens.push([`bucket ${name}`, at, performance.now()]);
          return b;
        });
      };
    }
  });
  const page = await context.newPage();
  await browser.startTracing(page, {
    categories: [
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'v8',
      'disabled-by-default-v8.cpu_profiler',
    ],
  });
  const shown = waitForFirstWidget(page);
  await page.goto(new URL(path, demo.url).href);
  const first = await shown;
  await page.waitForTimeout(500);
  const trace = await browser.stopTracing();
  if (arg('save')) writeFileSync(arg('save'), trace);
  const events = JSON.parse(trace.toString('utf8')).traceEvents;
  const opens = await page.evaluate(() => window.__lwOpens);
  await context.close();

  const start = events.find(
    (e) => e.name === 'EvaluateScript' && /likewise\.(iife|full)\.js/.test(e.args?.data?.url ?? ''),
  );
  const painted = events.find(
    (e) => e.name === 'TimeStamp' && e.args?.data?.message === 'likewise:first-widget',
  );
  if (!start || !painted) throw new Error('the trace has no script start or no first widget');
  const profile = events.find(
    (e) => e.name === 'Profile' && e.pid === start.pid && e.tid === start.tid,
  );
  const nodes = new Map();
  const samples = [];
  let t = profile?.args.data.startTime ?? 0;
  for (const c of events) {
    if (c.name !== 'ProfileChunk' || c.pid !== start.pid || c.id !== profile?.id) continue;
    const { cpuProfile = {}, timeDeltas = [] } = c.args.data;
    for (const n of cpuProfile.nodes ?? []) nodes.set(n.id, n);
    (cpuProfile.samples ?? []).forEach((id, i) => {
      t += timeDeltas[i];
      samples.push([t, id]);
    });
  }
  const time = { likewise: 0, page: 0, other: 0, idle: 0 };
  const byFunction = new Map();
  for (let i = 0; i + 1 < samples.length; i++) {
    const [at, id] = samples[i];
    if (at < start.ts || at > painted.ts) continue;
    const ms = (samples[i + 1][0] - at) / 1000;
    const stack = [];
    for (let n = nodes.get(id); n; n = nodes.get(n.parent)) stack.push(n.callFrame);
    const ours = stack.filter((f) => /\/dist\/(likewise|chunks\/)/.test(f.url));
    if (ours.length) {
      time.likewise += ms;
      for (const name of new Set(ours.map(frameName)))
        byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    } else if (stack.some((f) => /^https?:/.test(f.url))) time.page += ms;
    else if (stack[0]?.functionName === '(idle)') time.idle += ms;
    else time.other += ms;
  }
  const ms = (v) => `${v.toFixed(1)} ms`;
  const navigation = first.at - (painted.ts - start.ts) / 1000;
  console.log(
    `demo ${path || 'home page'}, new visitor${granted ? ' (consent granted)' : ''}: first widget (${first.widget}) ${ms((painted.ts - start.ts) / 1000)} after the script's start (${ms(first.at)} from navigation; the script started at about ${ms(navigation)})`,
  );
  console.log(
    `main thread in between, sampled: likewise JavaScript ${ms(time.likewise)}, the page's JavaScript ${ms(time.page)}, the rest (style, layout, paint, GC, compiling) ${ms(time.other)}, idle ${ms(time.idle)}`,
  );
  // Thread time (`tdur`): the main thread's time on a core, which waits on a loaded machine do not inflate.
  let cpu = 0;
  for (const e of events)
    if (
      e.name === 'RunTask' &&
      e.ph === 'X' &&
      e.pid === start.pid &&
      e.tid === start.tid &&
      e.dur &&
      e.ts < painted.ts &&
      e.ts + e.dur > start.ts
    )
      cpu +=
        ((e.tdur ?? 0) * (Math.min(e.ts + e.dur, painted.ts) - Math.max(e.ts, start.ts))) / e.dur;
  console.log(`main thread's CPU (thread time) in between: ${ms(cpu / 1000)}`);
  console.log('likewise functions by sampled time (inclusive), the first 15:');
  for (const [name, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${ms(v).padStart(9)}  ${name}`);
  // Trace events nest (a Layout inside a FunctionCall): the totals overlap.
  const byEvent = new Map();
  for (const e of events)
    if (
      e.ph === 'X' &&
      e.pid === start.pid &&
      e.tid === start.tid &&
      e.ts >= start.ts &&
      e.ts < painted.ts &&
      !/RunTask|RunNormalPriorityTask|ThreadController/.test(e.name)
    )
      byEvent.set(e.name, (byEvent.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
  console.log(
    'main-thread trace events in between by total duration (nested ones overlap), the first 12:',
  );
  for (const [name, v] of [...byEvent].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${ms(v).padStart(9)}  ${name}`);
  console.log(
    opens.length
      ? `storage opened (ms from navigation): ${opens.map(([n, a, b]) => `${n} ${a.toFixed(0)}-${b.toFixed(0)}`).join(', ')}`
      : 'storage opened: none',
  );
} finally {
  await browser.close();
  await demo.close();
}
