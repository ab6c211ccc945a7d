// @vitest-environment node
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { rollup } from 'rollup';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Collector,
  createCollector,
  invalidLine,
  RecentIds,
  run,
} from '../../src/cli/collect';
import type { LikewiseEvent } from '../../src/types';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A plain node:http request (fetch would refuse to set Origin in some runtimes). */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    req.end(options.body);
  });
}

const post = (c: { url: string }, body: unknown, headers: Record<string, string> = {}) =>
  request(`${c.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

let n = 0;
const event = (extra: Partial<LikewiseEvent> = {}): LikewiseEvent => ({
  id: `c${++n}-${Math.random().toString(36).slice(2, 8)}`,
  type: 'view',
  ts: 1_700_000_000_000 + n,
  session: 's1',
  itemId: 'sku-1',
  ...extra,
});
const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

const open: Collector[] = [];
async function start(options: Partial<Parameters<typeof createCollector>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lw-collect-'));
  const out = join(dir, 'events.ndjson');
  const c = await createCollector({
    out,
    origins: ['https://shop.example'],
    rate: 1000,
    ...options,
  });
  open.push(c);
  return { c, out: options.out ?? out };
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('createCollector', () => {
  it('binds to 127.0.0.1 by default and answers /health', async () => {
    const { c } = await start();
    expect(c.url).toBe(`http://127.0.0.1:${c.port}`);
    expect((c.server.address() as { address: string }).address).toBe('127.0.0.1');
    const h = await request(`${c.url}/health`);
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body)).toEqual({ ok: true, events: 0 });
  });

  it('appends valid batches as NDJSON (array or {events}) and drops duplicate ids', async () => {
    const { c, out } = await start();
    const a = event();
    const b = event({
      type: 'purchase',
      itemId: undefined,
      items: [{ itemId: 'x', price: 9.5, quantity: 2 }],
      currency: 'EUR',
    });
    const r1 = await post(c, [a, b], { 'content-type': 'application/json' });
    expect(r1.status).toBe(200);
    expect(JSON.parse(r1.body)).toEqual({ accepted: 2, duplicates: 0, invalid: 0 });
    expect(lines(out).map((l) => JSON.parse(l))).toEqual([a, b]);

    const d = event();
    const r2 = await post(c, { events: [a, d, d] });
    expect(JSON.parse(r2.body)).toEqual({ accepted: 1, duplicates: 2, invalid: 0 });
    expect(lines(out).map((l) => JSON.parse(l).id)).toEqual([a.id, b.id, d.id]);

    // Through /collect too; unknown fields are not stored.
    const e = { ...event(), email: 'someone@example.com' };
    expect(
      (await request(`${c.url}/collect`, { method: 'POST', body: JSON.stringify([e]) })).status,
    ).toBe(200);
    expect(lines(out).at(-1)).not.toContain('email');
  });

  it('remembers ids already in the file after a restart, and starts after a torn last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-collect-'));
    const out = join(dir, 'events.ndjson');
    const old = event();
    writeFileSync(out, `${JSON.stringify(old)}\n{"id":"torn","ty`);
    const { c } = await start({ out });
    expect(c.size()).toBe(1);
    const fresh = event();
    expect(JSON.parse((await post(c, [old, fresh])).body)).toEqual({
      accepted: 1,
      duplicates: 1,
      invalid: 0,
    });
    expect(lines(out)).toEqual([JSON.stringify(old), '{"id":"torn","ty', JSON.stringify(fresh)]);
  });

  it('answers CORS only for configured origins', async () => {
    const { c, out } = await start();
    const okPre = await request(`${c.url}/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(okPre.status).toBe(204);
    expect(okPre.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(okPre.headers['access-control-allow-methods']).toContain('POST');

    const badPre = await request(`${c.url}/events`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(badPre.status).toBe(403);
    expect(badPre.headers['access-control-allow-origin']).toBeUndefined();

    const good = await post(c, [event()], { origin: 'https://shop.example' });
    expect(good.status).toBe(200);
    expect(good.headers['access-control-allow-origin']).toBe('https://shop.example');
    // text/plain needs no preflight, so the POST itself must be refused.
    const bad = await post(c, [event()], { origin: 'https://evil.example' });
    expect(bad.status).toBe(403);
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
    expect(lines(out)).toHaveLength(1);
  });

  it('413 for a body over 64 KB or more than maxEvents events; 400 for batches without a valid event; nothing written', async () => {
    const { c, out } = await start({ maxEvents: 500 });
    const big = await post(c, [event({ query: 'x'.repeat(70_000) })]);
    expect(big.status).toBe(413);
    const many = await post(
      c,
      Array.from({ length: 501 }, () => ({ id: 'x', type: 'view', ts: 1, session: 's' })),
    );
    expect(many.status).toBe(413);
    expect(JSON.parse(many.body).error).toBe('more than 500 events');

    const cases: [unknown, string][] = [
      ['{not json', 'body is not JSON'],
      [{ nope: 1 }, 'expected an array of events or {"events":[...]}'],
      [[], 'empty batch'],
      [[{ ...event(), type: 'hover' }], 'event 0: type is not a known event type'],
      [[event({ id: 'x'.repeat(65) })], 'event 0: id must be a string of 1 to 64 characters'],
      [
        [event({ itemId: 'x'.repeat(257) })],
        'event 0: itemId must be a string of 1 to 256 characters',
      ],
    ];
    for (const [body, error] of cases) {
      const r = await post(c, body);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).error).toBe(error);
    }
    // An id with bytes that are no UTF-8 (they would all read as U+FFFD).
    const bytes = await new Promise<Answer>((done, fail) => {
      const req = httpRequest(
        `${c.url}/events`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', fail);
      const head = Buffer.from('[{"id":"');
      const tail = Buffer.from('","type":"view","ts":1700000000000,"session":"s"}]');
      req.end(Buffer.concat([head, Buffer.from([0xff, 0xfe]), tail]));
    });
    expect(bytes.status).toBe(400);
    expect(JSON.parse(bytes.body).error).toBe('body is not UTF-8');
    expect((await post(c, '[]', { 'content-type': 'application/xml' })).status).toBe(415);
    expect((await request(`${c.url}/events`)).status).toBe(405);
    expect((await request(`${c.url}/other`)).status).toBe(404);
    expect(lines(out)).toEqual([]);
  });

  it('keeps the valid events of a batch and counts the others by reason, in the answer and the log (the SDK drops a refused batch)', async () => {
    const heard: [Record<string, number>, number][] = [];
    const { c, out } = await start({ onInvalid: (reasons, batch) => heard.push([reasons, batch]) });
    const good = [event(), event({ rec: 'r'.repeat(256) }), event()];
    const r = await post(c, [
      good[0],
      { ...event(), type: 'hover' },
      good[1],
      { nope: 1 },
      { ...event(), type: 'wishlist' },
      good[2],
    ]);
    expect(r.status).toBe(200);
    const reasons = {
      'type is not a known event type': 2,
      'id must be a string of 1 to 64 characters': 1,
    };
    expect(JSON.parse(r.body)).toEqual({ accepted: 3, duplicates: 0, invalid: 3, reasons });
    expect(lines(out).map((l) => JSON.parse(l).id)).toEqual(good.map((e) => e.id));
    // A batch of invalid events only: 400 with the first reason, and the counts.
    const none = await post(c, [{ ...event(), type: 'hover' }]);
    expect(JSON.parse(none.body)).toEqual({
      error: 'event 0: type is not a known event type',
      reasons: { 'type is not a known event type': 1 },
    });
    expect(heard).toEqual([
      [reasons, 6],
      [{ 'type is not a known event type': 1 }, 1],
    ]);
    expect(invalidLine(reasons, 6)).toBe(
      '3 of 6 events invalid: 2 x type is not a known event type; 1 x id must be a string of 1 to 64 characters',
    );
  });

  it('stores identify links and, with profiles, answers a customer hash with the events of the visitors linked to it', async () => {
    const customer = 'c0'.repeat(32);
    const link = (visitor: string, id = `l-${visitor}`) => ({
      id,
      type: 'identify',
      ts: 1_700_000_000_000,
      visitor,
      customer,
    });
    const { c, out } = await start({ profiles: true });
    const phone = [
      event({ visitor: 'v-phone', itemId: 'a' }),
      event({ visitor: 'v-phone', itemId: 'b' }),
    ];
    const other = event({ visitor: 'v-other', itemId: 'z' });
    const r = await post(c, [
      ...phone,
      other,
      link('v-phone'),
      { ...link('v-x'), customer: 'Customer-42' },
    ]);
    expect(JSON.parse(r.body)).toEqual({
      accepted: 4,
      duplicates: 0,
      invalid: 1,
      reasons: { 'customer must be a SHA-256 hash (64 lowercase hex digits)': 1 },
    });
    const profile = (hash: string, headers: Record<string, string> = {}) =>
      request(`${c.url}/profile?customer=${hash}`, { headers });
    const answer = await profile(customer, { origin: 'https://shop.example' });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(JSON.parse(answer.body)).toEqual(phone);
    expect(JSON.parse((await profile('d1'.repeat(32))).body)).toEqual([]);
    expect((await profile('customer-42')).status).toBe(400);
    expect((await profile(customer, { origin: 'https://evil.example' })).status).toBe(403);
    expect(lines(out)).toHaveLength(4);
    // A restart reads the links back from the file.
    await c.close();
    const again = await start({ out, profiles: true });
    expect(JSON.parse((await request(`${again.c.url}/profile?customer=${customer}`)).body)).toEqual(
      phone,
    );
    // Without profiles, there is no such endpoint.
    const closed = await start({ out });
    expect((await request(`${closed.c.url}/profile?customer=${customer}`)).status).toBe(404);
  });

  it('takes a 64 KB batch as the SDK splits it: over 500 small events', async () => {
    const { c, out } = await start();
    const batch = Array.from({ length: 800 }, (_, i) => ({
      id: `e${i}`,
      type: 'view',
      ts: 1_700_000_000_000,
      session: 's',
      itemId: 'a',
    }));
    expect(JSON.stringify(batch).length).toBeLessThan(65_536);
    expect(JSON.parse((await post(c, batch)).body).accepted).toBe(800);
    expect(lines(out)).toHaveLength(800);
  });

  it('a failed write answers 500, records no id, and the retry is stored on a line of its own', async () => {
    const { c, out } = await start();
    const first = [event(), event()];
    // The file refuses the next append once, after writing part of it.
    const { FileHandle } = await import('node:fs/promises').then(async (fs) => {
      const h = await fs.open(out, 'r');
      const proto = Object.getPrototypeOf(h);
      await h.close();
      return { FileHandle: proto as { appendFile: (t: string) => Promise<void> } };
    });
    const real = FileHandle.appendFile;
    FileHandle.appendFile = async function (this: unknown, text: string) {
      FileHandle.appendFile = real;
      await real.call(this, text.slice(0, 30));
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    };
    try {
      expect((await post(c, first)).status).toBe(500);
    } finally {
      FileHandle.appendFile = real;
    }
    expect(JSON.parse((await post(c, first)).body)).toEqual({
      accepted: 2,
      duplicates: 0,
      invalid: 0,
    });
    // The torn start of the failed write is a line of its own; both events follow, whole.
    const all = lines(out);
    expect(all).toHaveLength(3);
    expect(all.slice(1).map((l) => JSON.parse(l).id)).toEqual(first.map((e) => e.id));
  });

  it('reduces configured origins to their origin, and refuses one that is none', async () => {
    const { c } = await start({ origins: ['https://Shop.example/some/page'] });
    const r = await post(c, [event()], { origin: 'https://shop.example' });
    expect(r.status).toBe(200);
    await expect(start({ origins: ['shop.example'] })).rejects.toThrow(
      'origin must be like https://shop.example (or *), got "shop.example"',
    );
  });

  it('with trustProxy, limits each forwarded client, not the proxy; IPv6 clients by /64', async () => {
    const { c } = await start({ rate: 1, burst: 1, trustProxy: true, now: () => 0 });
    const from = (ip: string) => post(c, [event()], { 'x-forwarded-for': `10.9.9.9, ${ip}` });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.2')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('2001:db8:1:2::5')).status).toBe(200);
    expect((await from('2001:db8:1:2:0:0:0:6')).status).toBe(429);
    expect((await from('2001:db8:1:3::5')).status).toBe(200);
  });

  it('closes the connection of a request refused before its body was read, not of one answered', async () => {
    const { c } = await start();
    const refused = await post(c, [event()], { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.headers.connection).toBe('close');
    expect((await post(c, '<x/>', { 'content-type': 'application/xml' })).headers.connection).toBe(
      'close',
    );
    const answered = await post(c, [event()]);
    expect(answered.status).toBe(200);
    expect(answered.headers.connection).not.toBe('close');
    // An absolute-form target that is no URL: 400, not a server error.
    const { connect } = await import('node:net');
    const socket = connect(c.port, '127.0.0.1');
    socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await new Promise<string>((ok) => {
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('close', () => ok(text));
      socket.on('error', () => ok(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('close() does not wait for a client that never finishes its request', async () => {
    const { c } = await start({ closeGraceMs: 50 });
    const { connect } = await import('node:net');
    const socket = connect(c.port, '127.0.0.1');
    await new Promise((ok) => socket.once('connect', ok));
    socket.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[');
    socket.on('error', () => {});
    const closed = await Promise.race([
      c.close().then(() => 'closed'),
      new Promise((ok) => setTimeout(() => ok('hung'), 3000)),
    ]);
    expect(closed).toBe('closed');
    socket.destroy();
  });

  it('remembers a bounded number of ids: the newest maxIds / 2 always, never more than maxIds', async () => {
    const ids = new RecentIds(10);
    for (let i = 0; i < 1000; i++) {
      ids.add(`e${i}`);
      expect(ids.size).toBeLessThanOrEqual(10);
      for (let j = Math.max(0, i - 4); j <= i; j++) expect(ids.has(`e${j}`)).toBe(true);
    }
    expect(ids.has('e0')).toBe(false);
    // Through the server: a resend within the window is a duplicate; one far older is stored again.
    const { c, out } = await start({ maxIds: 4 });
    const batch = Array.from({ length: 6 }, () => event());
    for (const e of batch) await post(c, [e]);
    expect(JSON.parse((await post(c, [batch[5]])).body).duplicates).toBe(1);
    expect(JSON.parse((await post(c, [batch[0]])).body).accepted).toBe(1);
    expect(lines(out)).toHaveLength(7);
    expect(c.size()).toBe(7);
  });

  it('a flood of concurrent clients sending the same ids at once: every acknowledged event stored exactly once', async () => {
    const { c, out } = await start({ rate: 1e6 });
    const clients = 12;
    const acked = new Set<string>();
    await Promise.all(
      Array.from({ length: clients }, async (_, k) => {
        for (let b = 0; b < 5; b++) {
          // Half of each batch: ids every client sends in the same moment.
          const batch = Array.from({ length: 20 }, (_, i) =>
            event({ id: i < 10 ? `shared-${b}-${i}` : `c${k}-${b}-${i}` }),
          );
          const r = await post(c, batch);
          expect(r.status).toBe(200);
          for (const e of batch) acked.add(e.id);
        }
      }),
    );
    const stored = lines(out).map((l) => (JSON.parse(l) as LikewiseEvent).id);
    expect(new Set(stored).size).toBe(stored.length);
    expect(new Set(stored)).toEqual(acked);
    expect(stored).toHaveLength(5 * 10 + clients * 5 * 10);
  });

  it('a client that goes away mid-body is counted, not reported as an error, and nothing is stored', async () => {
    const errors: unknown[] = [];
    const { c, out } = await start({ onError: (e) => errors.push(e) });
    const { connect } = await import('node:net');
    for (let i = 0; i < 3; i++) {
      const socket = connect(c.port, '127.0.0.1');
      await new Promise((ok) => socket.once('connect', ok));
      socket.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[{"id":');
      await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(c.aborted()).toBe(3);
    expect(errors).toEqual([]);
    expect(lines(out)).toEqual([]);
    expect((await post(c, [event()])).status).toBe(200);
  });

  it('reopen() after a rotation: later events go to a new file by the same name, none lost, ids still remembered', async () => {
    const { c, out } = await start();
    const before = [event(), event()];
    await post(c, before);
    const { renameSync } = await import('node:fs');
    renameSync(out, `${out}.1`);
    // Until the reopen, writes still reach the moved file.
    const during = event();
    await post(c, [during]);
    await c.reopen();
    const after = event();
    expect(JSON.parse((await post(c, [after, before[0]])).body)).toMatchObject({
      accepted: 1,
      duplicates: 1,
    });
    expect(lines(`${out}.1`).map((l) => JSON.parse(l).id)).toEqual(
      [...before, during].map((e) => e.id),
    );
    expect(lines(out).map((l) => JSON.parse(l).id)).toEqual([after.id]);
  });

  it('429 with Retry-After when a client exceeds its rate', async () => {
    let now = 1_000_000;
    const { c } = await start({ rate: 1, burst: 2, now: () => now });
    expect((await post(c, [event()])).status).toBe(200);
    expect((await post(c, [event()])).status).toBe(200);
    const limited = await post(c, [event()]);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    now += 1000;
    expect((await post(c, [event()])).status).toBe(200);
  });
});

describe('likewise collect (child process)', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
  });

  /** Bundles src/cli/collect.ts (TypeScript transpiled, no type check) and a tiny runner into a temp dir. */
  async function buildHarness(dir: string): Promise<string> {
    const root = resolve(__dirname, '../..');
    const bundle = await rollup({
      input: join(root, 'src/cli/collect.ts'),
      external: (id) => id.startsWith('node:'),
      plugins: [
        {
          name: 'ts',
          resolveId(source, importer) {
            if (!importer || !source.startsWith('.')) return null;
            const file = resolve(dirname(importer), `${source}.ts`);
            return existsSync(file) ? file : null;
          },
          transform(code, id) {
            if (!id.endsWith('.ts')) return null;
            return ts.transpileModule(code, {
              compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
            }).outputText;
          },
        },
      ],
    });
    await bundle.write({ file: join(dir, 'collect.mjs'), format: 'es' });
    await bundle.close();
    const harness = join(dir, 'harness.mjs');
    writeFileSync(
      harness,
      "import { run } from './collect.mjs';\n" +
        'run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })' +
        '.then((code) => process.exit(code));\n',
    );
    return harness;
  }

  function spawnCollector(
    harness: string,
    out: string,
    extra: string[] = [],
  ): Promise<{ proc: ChildProcess; url: string }> {
    const proc = spawn(process.execPath, [harness, '--port', '0', '--out', out, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    return new Promise((done, fail) => {
      let text = '';
      proc.stdout!.on('data', (d) => {
        text += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (m) done({ proc, url: m[1] });
      });
      proc.stderr!.on('data', (d) => (text += d));
      proc.on('exit', () => fail(new Error(`collector exited: ${text}`)));
    });
  }

  const exited = (proc: ChildProcess) =>
    new Promise<{ code: number | null; signal: string | null }>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null)
        done({ code: proc.exitCode, signal: proc.signalCode });
      else proc.on('exit', (code, signal) => done({ code, signal }));
    });

  it('an acknowledged batch survives kill -9; SIGTERM stops it cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-collect-child-'));
    const harness = await buildHarness(dir);
    const out = join(dir, 'events.ndjson');

    const first = await spawnCollector(harness, out);
    const batch = [event(), event()];
    const r = await post(first, batch);
    expect(r.status).toBe(200);
    first.proc.kill('SIGKILL');
    expect((await exited(first.proc)).signal).toBe('SIGKILL');
    expect(lines(out).map((l) => JSON.parse(l))).toEqual(batch);

    // A restarted collector keeps the acknowledged ids: a client's resend is dropped.
    const second = await spawnCollector(harness, out);
    expect(JSON.parse((await post(second, batch)).body)).toEqual({
      accepted: 0,
      duplicates: 2,
      invalid: 0,
    });
    second.proc.kill('SIGTERM');
    expect(await exited(second.proc)).toEqual({ code: 0, signal: null });
    expect(lines(out)).toHaveLength(2);
  });

  it('kill -9 in the middle of writes, twice: nothing acknowledged lost, no torn line read as an event; SIGHUP reopens the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-collect-crash-'));
    const harness = await buildHarness(dir);
    const out = join(dir, 'events.ndjson');
    const acked = new Set<string>();
    const sent: LikewiseEvent[][] = [];
    for (let round = 0; round < 2; round++) {
      const s = await spawnCollector(harness, out, ['--rate', '100000']);
      let stop = false;
      // Eight clients posting as fast as they can while the process is killed.
      const clients = Array.from({ length: 8 }, async (_, k) => {
        for (let b = 0; !stop && b < 200; b++) {
          const batch = Array.from({ length: 20 }, (_, i) =>
            event({ id: `r${round}-c${k}-b${b}-${i}`, query: 'q'.repeat(200) }),
          );
          sent.push(batch);
          const r = await post(s, batch).catch(() => null);
          if (r?.status === 200) for (const e of batch) acked.add(e.id);
          else if (!r) return;
        }
      });
      // Killed once this round has writes acknowledged (a fixed delay saw
      // none on a loaded machine), while the clients are still posting.
      const before = acked.size;
      for (let t = 0; acked.size === before && t < 200; t++)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 50));
      s.proc.kill('SIGKILL');
      await exited(s.proc);
      stop = true;
      await Promise.all(clients);
    }
    expect(acked.size).toBeGreaterThan(0);
    const parsed: LikewiseEvent[] = [];
    for (const line of lines(out)) {
      try {
        parsed.push(JSON.parse(line));
      } catch {
        // torn: skipped by every reader
      }
    }
    // Every line that parses is a whole, valid event; every acknowledged event is there.
    for (const e of parsed) expect(e).toMatchObject({ type: 'view', session: 's1' });
    const stored = new Set(parsed.map((e) => e.id));
    for (const id of acked) expect(stored.has(id)).toBe(true);

    // The SDK retries what was not acknowledged: after that, each event exactly once.
    const s = await spawnCollector(harness, out, ['--rate', '100000']);
    for (const batch of sent) expect((await post(s, batch)).status).toBe(200);
    const ids = lines(out).flatMap((l) => {
      try {
        return [(JSON.parse(l) as LikewiseEvent).id];
      } catch {
        return [];
      }
    });
    expect(ids).toHaveLength(new Set(ids).size);
    expect(new Set(ids).size).toBe(sent.flat().length);

    // Log rotation: SIGHUP after the file was moved away starts a new one.
    const { renameSync } = await import('node:fs');
    renameSync(out, `${out}.1`);
    s.proc.kill('SIGHUP');
    await new Promise<void>((ok) => {
      const check = (d: Buffer) => String(d).includes('reopened') && ok();
      s.proc.stdout!.on('data', check);
    });
    const late = event();
    expect((await post(s, [late])).status).toBe(200);
    expect(lines(out).map((l) => JSON.parse(l).id)).toEqual([late.id]);
    s.proc.kill('SIGTERM');
    expect(await exited(s.proc)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('usage errors resolve 2', async () => {
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      cwd: tmpdir(),
    };
    expect(await run(['--port', '1'], io)).toBe(2);
    expect(out.stderr).toContain('likewise collect: --out FILE is required');
    expect(await run(['--out', 'x', '--rate', '0'], io)).toBe(2);
    expect(out.stderr).toContain('--rate must be a number > 0, got 0');
    expect(await run(['--out', 'x', '--origin', 'shop.example'], io)).toBe(2);
    expect(out.stderr).toContain(
      '--origin must be like https://shop.example (or *), got shop.example',
    );
  });
});
