#!/usr/bin/env node
import { execFile, spawn } from 'node:child_process';
// The demo shop's static server (node:http, no dependencies), bound to
// 127.0.0.1. It serves examples/ at /, the generated data (catalog.json,
// covers/, model/) at / as well, dist/ at /dist/, and the few node_modules
// packages that the ESM page's import map needs, read-only. The strict CSP
// header goes on csp.html only, so that page proves the SDK works under it.
// Pages share their <head> lines through `<!--#include partials/head.html-->`
// (expanded here); their header and footer are built by shop.js.
//
//   node examples/serve.mjs [--port 8080] [--events FILE] [--catalog FILE] [--help]
//   PORT=0 node examples/serve.mjs      # port 0: a free random port
import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateShop } from './generate.mjs';

/**
 * Starts the reference collector (`likewise collect`, the built CLI) as a
 * child process on a free port, appending to `out`. Resolves its URL and a stop function.
 * A child, not in-process: the built CLI exports no collector factory, and its
 * `collect` command owns SIGINT/SIGTERM until it stops.
 */
function startCollector(root, out) {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'likewise.mjs'), 'collect', '--out', out, '--port', '0', '--rate', '200'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  return new Promise((ok, fail) => {
    let text = '';
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`likewise collect exited with ${code}`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(text);
      if (m) {
        child.stdout.resume();
        ok({
          url: m[1],
          stop: () => {
            process.off('exit', stop);
            if (child.exitCode !== null) return Promise.resolve();
            return new Promise((done) => {
              child.once('exit', () => done());
              stop();
            });
          },
        });
      }
    });
  });
}

/** Forwards a POST body to the collector and its answer back (status, type, retry-after). */
function proxyTo(target) {
  return (req, res) => {
    const url = new URL(target);
    const up = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        // No Origin: the page is same-origin with this server, which speaks for it.
        headers: {
          'content-type': req.headers['content-type'] ?? 'text/plain',
          ...(req.headers['content-length']
            ? { 'content-length': req.headers['content-length'] }
            : {}),
        },
      },
      (answer) => {
        const headers = { 'content-type': answer.headers['content-type'] ?? 'application/json' };
        if (answer.headers['retry-after']) headers['retry-after'] = answer.headers['retry-after'];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":"collector unavailable"}');
    });
    req.pipe(up);
  };
}

/** `GET /report.json`: what `likewise report --events FILE --json` prints (bin/likewise.mjs). */
function reportRoute(root, file) {
  return async (_req, res) => {
    const send = (status, text) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(text);
    };
    try {
      if (!existsSync(file)) return send(404, '{"error":"no events collected yet"}');
      // A child process: importing dist/cli.mjs runs the CLI on this process's argv.
      const { code, out, err } = await new Promise((done) => {
        execFile(
          process.execPath,
          [join(root, 'bin', 'likewise.mjs'), 'report', '--events', file, '--json'],
          { maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) =>
            done({ code: error ? (error.code ?? 1) : 0, out: stdout, err: stderr }),
        );
      });
      if (code === 0) send(200, out);
      else
        send(500, JSON.stringify({ error: err.trim() || `likewise report exited with ${code}` }));
    } catch (e) {
      send(500, JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    }
  };
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Where the data of a shop's own `--events`/`--catalog` goes, beside (never over) the generated demo data. */
const OWN_DATA = 'generated-own';

/**
 * The folder the demo serves its data from: `examples/generated` (the
 * seeded demo shop), or `examples/generated-own` when the shop's own events
 * or catalogue are given, so they never overwrite the generated demo data.
 *
 * @param {string} examples The examples/ folder.
 * @param {{ events?: string, catalog?: string }} options
 */
export function dataDir(examples, options) {
  return join(examples, options.events || options.catalog ? OWN_DATA : 'generated');
}

/** The header csp.html is served with (RELIABILITY.md test 20). */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "require-trusted-types-for 'script'; trusted-types 'none'";

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

/** Packages the import map of npm.html points at (dist/likewise.mjs keeps them external). */
const SERVED_PACKAGES = [
  'ml-matrix',
  'is-any-array',
  'ml-array-rescale',
  'ml-array-max',
  'ml-array-min',
];

/**
 * Resolves a URL path inside `base`, or undefined when it would leave it
 * (`..`, encoded or not), names a dotfile, or is malformed.
 */
function inside(base, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return undefined;
  const full = resolve(base, ...parts);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

/**
 * Expands `<!--#include partials/NAME.html ...-->` lines of a page with the
 * partial's text: the parts of <head> every page shares live in one file.
 * Only files under examples/partials/ are included; an unknown one is an error.
 * A `<!--#popularity ...-->` line becomes the preload of the model's popularity file.
 * A page that loads `likewise.full.js` loses the widget file's `modulepreload`.
 */
async function expandIncludes(examples, html, generated) {
  const pattern = /^[ \t]*<!--#include (partials\/[\w-]+\.html)[^>]*-->[ \t]*\n/gm;
  const names = [...new Set([...html.matchAll(pattern)].map((m) => m[1]))];
  const texts = new Map();
  for (const name of names) texts.set(name, await readFile(join(examples, name), 'utf8'));
  let expanded = html.replace(pattern, (_, name) => texts.get(name));
  // A page on likewise.full.js has the widget file inside its script: no preload of it.
  if (expanded.includes('/dist/likewise.full.js'))
    expanded = expanded.replace(
      /^[ \t]*<link rel="modulepreload" href="\/dist\/likewise\.widgets\.mjs">\n/m,
      '',
    );
  const marker = /^([ \t]*)<!--#popularity[^>]*-->[ \t]*\n/m;
  if (!marker.test(expanded)) return expanded;
  const link = await popularityPreload(generated);
  return expanded.replace(marker, (_, indent) => (link ? indent + link + '\n' : ''));
}

/**
 * The `<link rel="preload">` of the model's popularity list, whose name
 * changes with every training (`popularity-<checksum>.json`): read from the
 * manifest at each request, as a shop's server-side template would. Empty
 * when there is no model or the name is not a plain file name.
 */
async function popularityPreload(generated) {
  try {
    const manifest = JSON.parse(await readFile(join(generated, 'model', 'manifest.json'), 'utf8'));
    const file = manifest?.popularity?.file;
    if (typeof file === 'string' && /^[\w.-]+$/.test(file))
      return `<link rel="preload" href="/model/${file}" as="fetch" crossorigin>`;
  } catch {}
  return '';
}

async function isFile(path) {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Starts the demo server. Generates the demo data first when
 * `examples/generated` is missing, or always when `events`/`catalog` are given.
 *
 * @param {object} [options]
 * @param {number} [options.port=8080] Port on 127.0.0.1; 0 picks a free one.
 * @param {string} [options.root] Repository root (holds examples/ and dist/).
 * @param {string} [options.events] A shop's own event log to train from.
 * @param {string} [options.catalog] A shop's own catalogue to serve.
 * @param {Record<string, (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void>} [options.routes]
 *   Extra handlers keyed by `"METHOD /path"` (e.g. `"POST /collect"`), tried first.
 * @param {boolean} [options.collect=true] Run the reference collector (built CLI): `POST /collect`
 *   appends the pages' events to the collected log, and `GET /report.json`
 *   answers `likewise report --json` for that file.
 * @param {string} [options.collected] The collected log's path; default
 *   examples/generated/collected.ndjson (tests and benchmarks pass a temporary one).
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 * @example
 * const demo = await startDemoServer({ port: 0 });
 * console.log(demo.url); // http://127.0.0.1:41234/
 * await demo.close();
 */
export async function startDemoServer(options = {}) {
  const root = resolve(options.root ?? join(HERE, '..'));
  const examples = join(root, 'examples');
  const generated = dataDir(examples, options);
  const dist = join(root, 'dist');
  const modules = join(root, 'node_modules');
  const routes = { ...options.routes };
  // Also regenerate when the data predates the CLI build, so the model appears,
  // or when the model is older than the CLI: it may be in a format the SDK no
  // longer reads (widgets would quietly fall back to popularity).
  const manifest = join(generated, 'model', 'manifest.json');
  const cli = join(root, 'dist', 'cli.mjs');
  const untrained =
    existsSync(join(root, 'bin', 'likewise.mjs')) &&
    existsSync(cli) &&
    (!existsSync(manifest) || statSync(manifest).mtimeMs < statSync(cli).mtimeMs);
  if (
    options.events ||
    options.catalog ||
    untrained ||
    !existsSync(join(generated, 'catalog.json'))
  ) {
    generateShop({
      out: generated,
      repo: root,
      events: options.events,
      catalog: options.catalog,
      log: options.log,
    });
  }

  /** Where a URL path lives on disk, or undefined. */
  async function locate(pathname) {
    if (pathname === '/') return join(examples, 'index.html');
    if (pathname.startsWith('/dist/')) return inside(dist, pathname.slice(5));
    if (pathname.startsWith('/node_modules/')) {
      const pkg = pathname.split('/')[2];
      if (!SERVED_PACKAGES.includes(pkg)) return undefined;
      return inside(modules, pathname.slice(13));
    }
    // Generated data first (catalog.json, covers/, model/), then the pages.
    const data = inside(generated, pathname);
    if (data && (await isFile(data))) return data;
    const page = inside(examples, pathname);
    // The data folders are only reachable at /, never as /generated/; partials are not pages.
    if (
      [generated, join(examples, 'generated'), join(examples, OWN_DATA)].some((d) =>
        page?.startsWith(d + sep),
      ) ||
      page?.startsWith(join(examples, 'partials') + sep)
    )
      return undefined;
    return page;
  }

  let collector = null;
  const collected = options.collected ?? join(generated, 'collected.ndjson');
  if (
    options.collect !== false &&
    existsSync(join(root, 'bin', 'likewise.mjs')) &&
    existsSync(cli)
  ) {
    collector = await startCollector(root, collected);
    routes['POST /collect'] ??= proxyTo(`${collector.url}/collect`);
    routes['GET /report.json'] ??= reportRoute(root, collected);
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = routes[`${req.method} ${url.pathname}`];
      if (route) return route(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const file = await locate(url.pathname);
      if (!file || !(await isFile(file))) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const raw = await readFile(file);
      const body =
        extname(file) === '.html'
          ? Buffer.from(await expandIncludes(examples, raw.toString('utf8'), generated))
          : raw;
      const headers = {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'x-content-type-options': 'nosniff',
        // The demo changes under you (rebuilds, retrains): never serve stale
        // files. But the catalogue, which only a restart with new data changes,
        // is cached for a minute, as a shop's CDN would (shop.js fetches its
        // own copy, `?for=shop`, and leaves the page's preload to the SDK).
        'cache-control': url.pathname === '/catalog.json' ? 'max-age=60' : 'no-store',
      };
      if (url.pathname === '/csp.html') headers['content-security-policy'] = STRICT_CSP;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`server error: ${e instanceof Error ? e.message : e}\n`);
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', (e) => {
      void collector?.stop();
      fail(
        e?.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port ?? 8080} is in use: pick another with --port N or PORT=N (0 picks a free one)`,
            )
          : e,
      );
    });
    server.listen(options.port ?? 8080, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    collector: collector?.url,
    data: generated,
    close: async () => {
      await new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      await collector?.stop();
    },
  };
}

/**
 * On SIGINT (Ctrl-C) or SIGTERM (a supervisor's stop), closes the demo
 * server, its collector child with it, then exits 0 (1 when closing failed).
 * Without this the process would die on the signal and leave the child
 * `likewise collect` running.
 *
 * @param {{ close(): Promise<void> }} demo
 * @param {{ on: Function, off: Function, exit: (code: number) => void }} [proc] Default `process` (tests pass a stand-in).
 */
export function stopOnSignals(demo, proc = process) {
  const stop = () => {
    proc.off('SIGINT', stop);
    proc.off('SIGTERM', stop);
    demo.close().then(
      () => proc.exit(0),
      () => proc.exit(1),
    );
  };
  proc.on('SIGINT', stop);
  proc.on('SIGTERM', stop);
}

const USAGE = `usage: node examples/serve.mjs [--port N] [--events FILE] [--catalog FILE]

  --port N        port on 127.0.0.1; 0 picks a free one (default: PORT, else 8080)
  --events FILE   your own event log (CSV or NDJSON) to train the demo's model from
  --catalog FILE  your own catalogue (a JSON array of items) to serve
                  (with either, the data goes to examples/${OWN_DATA}; the generated
                  demo data in examples/generated is left as it is)
`;

function cliArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      events: { type: 'string' },
      catalog: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    help: values.help,
    port: values.port === undefined ? undefined : Number(values.port),
    events: values.events && resolve(values.events),
    catalog: values.catalog && resolve(values.catalog),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let demo;
  try {
    const { help, ...opts } = cliArgs(process.argv.slice(2));
    if (help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const port = opts.port ?? (process.env.PORT !== undefined ? Number(process.env.PORT) : 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port (or PORT) must be an integer from 0 to 65535, got ${port}`);
    demo = await startDemoServer({ ...opts, port });
  } catch (e) {
    console.error(`serve: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  }
  console.log(`likewise demo: ${demo.url}`);
  if (demo.collector)
    console.log(`likewise demo: collector (likewise collect) on ${demo.collector}`);
  if (!demo.data.endsWith(`${sep}generated`))
    console.log(`likewise demo: your data is in ${demo.data}`);
  stopOnSignals(demo);
}
