#!/usr/bin/env node
// The demo shop's static server (node:http, no dependencies), bound to
// 127.0.0.1. It serves examples/ at /, the generated data (catalog.json,
// covers/, model/) at / as well, dist/ at /dist/, and the few node_modules
// packages that the ESM page's import map needs, read-only. The strict CSP
// header goes on csp.html only, so that page proves the SDK works under it.
//
//   node examples/serve.mjs [--port 8080] [--events FILE] [--catalog FILE]
//   PORT=0 node examples/serve.mjs      # port 0: a free random port
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateShop } from './generate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

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
  'idb-keyval',
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
  const generated = join(examples, 'generated');
  const dist = join(root, 'dist');
  const modules = join(root, 'node_modules');
  const routes = options.routes ?? {};
  // Also regenerate when the data predates the CLI build, so the model appears.
  const untrained =
    !existsSync(join(generated, 'model', 'manifest.json')) &&
    existsSync(join(root, 'bin', 'likewise.mjs')) &&
    existsSync(join(root, 'dist', 'cli.mjs'));
  if (
    options.events ||
    options.catalog ||
    untrained ||
    !existsSync(join(generated, 'catalog.json'))
  ) {
    generateShop({
      out: generated,
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
    // The generated folder is only reachable at /, never as /generated/.
    if (page?.startsWith(generated + sep)) return undefined;
    return page;
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
      const body = await readFile(file);
      const headers = {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'x-content-type-options': 'nosniff',
        // The demo changes under you (rebuilds, retrains): never serve stale files.
        'cache-control': 'no-store',
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
    server.once('error', fail);
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
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === '--port' || a === '--events' || a === '--catalog') && v === undefined)
      throw new Error(`${a} needs a value`);
    if (a === '--port') opts.port = Number(argv[++i]);
    else if (a === '--events') opts.events = resolve(argv[++i]);
    else if (a === '--catalog') opts.catalog = resolve(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const port = opts.port ?? (process.env.PORT !== undefined ? Number(process.env.PORT) : 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${port}`);
    const demo = await startDemoServer({ ...opts, port });
    console.log(`likewise demo: ${demo.url}`);
  } catch (e) {
    console.error(`serve: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  }
}
