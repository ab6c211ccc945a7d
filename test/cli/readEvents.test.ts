// @vitest-environment node
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents, readEventsRange } from '../../src/cli/readEvents';
import { EVENT_TYPE_CODES } from '../../src/engine/types';
import { isLikewiseError } from '../../src/errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'likewise-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The log's rows as readable tuples: [user, item, type, ms]. */
function rows(log: Awaited<ReturnType<typeof readEvents>>): [string, string, string, number][] {
  const out: [string, string, string, number][] = [];
  for (let r = 0; r < log.length; r++) {
    out.push([
      log.userIds[log.users[r]],
      log.itemIds[log.items[r]],
      EVENT_TYPE_CODES[log.types[r]],
      log.times[r],
    ]);
  }
  return out;
}

describe('readEvents: CSV', () => {
  it('reads rows in file order with seconds turned into milliseconds and ids interned', async () => {
    const path = await file(
      'basic.csv',
      'user,item,timestamp,type\nu1,a,100,view\nu2,b,101,purchase\nu1,b,99,add_to_cart\n',
    );
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u1', 'a', 'view', 100_000],
      ['u2', 'b', 'purchase', 101_000],
      ['u1', 'b', 'add_to_cart', 99_000],
    ]);
    expect(log.itemIds).toEqual(['a', 'b']);
    expect(log.userIds).toEqual(['u1', 'u2']);
    expect(log.userCount).toBe(2);
    expect(log.skipped).toBe(0);
    expect(log.format).toBe('csv');
  });

  it('skips and counts malformed lines and unknown types, keeping the good ones', async () => {
    const path = await file(
      'bad.csv',
      [
        'user,item,timestamp,type',
        'u1,a,1,view',
        'u1,a,1', // too few fields
        ',a,1,view', // no user
        'u1,,1,view', // no item
        'u1,a,yesterday,view', // unreadable time
        'u1,a,1,wishlist', // unknown type
        'u1,a,1,VIEW', // types are case-sensitive
        '',
        'u2,c,2,click',
        '',
      ].join('\n'),
    );
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u1', 'a', 'view', 1000],
      ['u2', 'c', 'click', 2000],
    ]);
    expect(log.skipped).toBe(6);
    expect(log.skips).toEqual([
      { reason: 'unknown event type', count: 2, firstLine: 7 },
      { reason: 'wrong column count', count: 1, firstLine: 3 },
      { reason: 'no user', count: 1, firstLine: 4 },
      { reason: 'no item', count: 1, firstLine: 5 },
      { reason: 'time missing or unreadable', count: 1, firstLine: 6 },
    ]);
    expect(log.semicolons).toBe(false);
  });

  it('says why NDJSON lines were skipped, with the line of each first one', async () => {
    const path = await file(
      'reasons.ndjson',
      [
        '{"user":"u","item":"a","timestamp":1700000000,"type":"view"}',
        '{"user":"u","item":"a","timestamp":1700000000000000,"type":"view"}', // microseconds
        'not json',
        `{"user":"u","item":"${'x'.repeat(1025)}","timestamp":1,"type":"view"}`,
        '{"user":"u","item":"a","timestamp":1700000000000001,"type":"view"}',
      ].join('\n'),
    );
    const log = await readEvents(path);
    expect(log.length).toBe(1);
    expect(log.skips).toEqual([
      {
        reason:
          'time after the year 2100 (likewise reads unix seconds or milliseconds: microseconds?)',
        count: 2,
        firstLine: 2,
      },
      { reason: 'not JSON, or not an event object', count: 1, firstLine: 3 },
      { reason: 'id over 1 KiB', count: 1, firstLine: 4 },
    ]);
  });

  it('notices a semicolon-separated export', async () => {
    const log = await readEvents(
      await file('excel.csv', 'user;item;timestamp;type\nu1;a;1700000000;view\n'),
    );
    expect(log.length).toBe(0);
    expect(log.semicolons).toBe(true);
    expect(log.skips).toEqual([{ reason: 'wrong column count', count: 2, firstLine: 1 }]);
  });

  it('refuses a binary, gzip or zip file with what it expected', async () => {
    const expected =
      'expected CSV (a user,item,timestamp,type header; timestamps in unix seconds) or NDJSON with the same fields or the SDK events that likewise collect writes.';
    const binary = Buffer.alloc(5000);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 37) % 256;
    for (const [name, bytes, kind] of [
      ['random.bin', binary, 'a binary file'],
      ['log.csv.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), 'a gzip file (decompress it first)'],
      ['log.zip', Buffer.from('PK\x03\x04rest', 'latin1'), 'a zip archive (extract it first)'],
    ] as const) {
      const path = await file(name, bytes);
      const error = await readEvents(path).catch((e: unknown) => e);
      expect(isLikewiseError(error, 'INVALID_INPUT')).toBe(true);
      expect((error as Error).message).toBe(
        `Events file ${path} looks like ${kind}, not a text log: ${expected}`,
      );
    }
  });

  it('understands quoted fields with commas and doubled quotes', async () => {
    const path = await file(
      'quoted.csv',
      'user,item,timestamp,type\n"u,1","sku ""7""",5,view\nu2,"plain",6,"click"\n"broken,a,1,view\n',
    );
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u,1', 'sku "7"', 'view', 5000],
      ['u2', 'plain', 'click', 6000],
    ]);
    expect(log.skipped).toBe(1);
  });

  it('maps columns by header name, with CRLF line ends, a BOM and extra columns', async () => {
    const path = await file(
      'columns.csv',
      '\uFEFFtype,price,item_id,user_id,timestamp\r\nview,9.5,a,u1,10\r\npurchase,1,b,u1,11\r\n',
    );
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u1', 'a', 'view', 10_000],
      ['u1', 'b', 'purchase', 11_000],
    ]);
  });

  it('reads a file without header in user,item,timestamp,type order', async () => {
    const path = await file('noheader.csv', 'u1,a,1,view\nu2,b,2,click\n');
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u1', 'a', 'view', 1000],
      ['u2', 'b', 'click', 2000],
    ]);
  });

  it('takes ISO dates, fractional seconds and millisecond timestamps', async () => {
    const path = await file(
      'times.csv',
      'user,item,timestamp,type\nu,a,2024-01-02T03:04:05Z,view\nu,b,1.5,view\nu,c,1700000000123,view\n',
    );
    const log = await readEvents(path);
    expect(Array.from(log.times.subarray(0, log.length))).toEqual([
      Date.UTC(2024, 0, 2, 3, 4, 5),
      1500,
      1_700_000_000_123,
    ]);
  });

  it('skips and counts times that are no plausible date (microseconds, Infinity), in CSV and NDJSON', async () => {
    const huge = '9'.repeat(400);
    const csv = await readEvents(
      await file(
        'implausible.csv',
        `user,item,timestamp,type\nu,a,1700000000,view\nbot,b,1700000000000000,view\nbot,c,${huge},view\nbot,d,-${huge},view\nu,e,4102444799,view\n`,
      ),
    );
    expect(rows(csv).map((r) => r[1])).toEqual(['a', 'e']);
    expect(csv.skipped).toBe(3);
    const json = await readEvents(
      await file(
        'implausible.ndjson',
        [
          { user: 'u', item: 'a', timestamp: 1_700_000_000, type: 'view' },
          { user: 'bot', item: 'b', ts: 1.7e15, type: 'view' },
          { session: 's', itemId: 'c', ts: 1.7e15, type: 'view', id: 'x\\y' },
        ]
          .map((o) => JSON.stringify(o))
          .join('\n'),
      ),
    );
    expect(rows(json).map((r) => r[1])).toEqual(['a']);
    expect(json.skipped).toBe(2);
  });

  it('ids that are not UTF-8 are refused and counted, never merged into one text', async () => {
    // Two item ids differing only in an invalid byte (0xff vs 0xfe): decoded
    // leniently both become "a\uFFFD", one item.
    const line = (item: Buffer, user: string) =>
      Buffer.concat([Buffer.from(`${user},`), item, Buffer.from(',1,view\n')]);
    const csv = Buffer.concat([
      Buffer.from('user,item,timestamp,type\n'),
      line(Buffer.from([0x61, 0xff]), 'u1'),
      line(Buffer.from([0x61, 0xfe]), 'u2'),
      line(Buffer.from('ok'), 'u3'),
    ]);
    const log = await readEvents(await file('bad-utf8.csv', csv));
    expect(log.itemIds.filter((id) => id.includes('\uFFFD'))).toEqual([]);
    expect(rows(log).map((r) => r[1])).toContain('ok');
    expect(log.skipped).toBe(2);
    const nd = Buffer.concat([
      Buffer.from('{"user":"u1","item":"a'),
      Buffer.from([0xff]),
      Buffer.from('","timestamp":1,"type":"view"}\n{"user":"u2","item":"a'),
      Buffer.from([0xfe]),
      Buffer.from(
        '","timestamp":1,"type":"view"}\n{"user":"u3","item":"ok","timestamp":1,"type":"view"}\n',
      ),
    ]);
    const json = await readEvents(await file('bad-utf8.ndjson', nd));
    expect(json.itemIds.filter((id) => id.includes('\uFFFD'))).toEqual([]);
    expect(json.skipped).toBe(2);
  });

  it('skips and counts ids over 1 KiB of UTF-8, and keeps one of exactly 1 KiB', async () => {
    const long = 'x'.repeat(1025);
    const edge = 'é'.repeat(512);
    const csv = await readEvents(
      await file(
        'long-ids.csv',
        `user,item,timestamp,type\nu,${long},1,view\n${long},a,1,view\nu,${edge},1,view\nu,"${long}",1,view\n`,
      ),
    );
    expect(rows(csv).map((r) => r[1])).toEqual([edge]);
    expect(csv.skipped).toBe(3);
    const json = await readEvents(
      await file(
        'long-ids.ndjson',
        [
          { user: 'u', item: long, timestamp: 1, type: 'view' },
          { user: 'u', item: long, timestamp: 1, type: 'view', note: '\n' },
          { user: 'u', item: 'a', timestamp: 1, type: 'view' },
        ]
          .map((o) => JSON.stringify(o))
          .join('\n'),
      ),
    );
    expect(rows(json).map((r) => r[1])).toEqual(['a']);
    expect(json.skipped).toBe(2);
  });

  it('keeps non-ASCII ids intact', async () => {
    const path = await file(
      'utf8.csv',
      'user,item,timestamp,type\nzoë,café-☕,1,view\nzoë,🍵,2,view\n',
    );
    const log = await readEvents(path);
    expect(log.userIds).toEqual(['zoë']);
    expect(log.itemIds).toEqual(['café-☕', '🍵']);
  });

  it('keeps ids apart that differ only in length, in a late byte or in a trailing NUL byte', async () => {
    // Pairs of ids whose FNV-1a hashes agree in their low 16 bits, so in a
    // table of up to 65,536 slots the second probes the first one's slot
    // and only the key comparison tells them apart. Ids of up to 11 bytes
    // are compared whole in their slot, longer ones also in the key arena:
    // pairs on both sides of that boundary and across it.
    const fnv = (text: string) => {
      let h = 0x811c9dc5;
      for (const byte of Buffer.from(text, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
      return h;
    };
    /** The first pair `make(n)` whose two ids' hashes agree on the low 16 bits. */
    const twin = (make: (n: number) => [string, string]): [string, string] => {
      for (let n = 0; ; n++) {
        const pair = make(n);
        if (((fnv(pair[0]) ^ fnv(pair[1])) & 0xffff) === 0) return pair;
      }
    };
    /** The first two ids `make(0), make(1), ...` whose hashes agree on the `mask` bits. */
    const twins = (make: (n: number) => string, mask: number): [string, string] => {
      const seen = new Map<number, string>();
      for (let n = 0; ; n++) {
        const id = make(n);
        const key = fnv(id) & mask;
        const other = seen.get(key);
        if (other !== undefined) return [other, id];
        seen.set(key, id);
      }
    };
    const pairs = [
      // Short ids of the same length.
      twins((n) => `s${n}`, 0xffff),
      // An id and the same bytes plus a NUL byte: short, and across the
      // 11-byte boundary (one held whole in its slot, the other not).
      twin((n) => [`k${n}`, `k${n}\u0000`]),
      twin((n) => [`k${n}`.padEnd(11, '-'), `${`k${n}`.padEnd(11, '-')}\u0000`]),
      // Long ids with the same first 12 bytes and the same full hash: only
      // the bytes in the arena tell them apart.
      twins((n) => `${'p'.repeat(12)}${n}`, -1),
    ];
    const ids = pairs.flat();
    const lines = ['user,item,timestamp,type'];
    // Each id as a user and an item, twice, the second time as a quoted
    // field (the slow path must find the same id), in between many other
    // ids (so the tables grow and every key is placed again).
    for (let r = 0; r < 3000; r++) lines.push(`u${r},filler-item-number-${r},${r},view`);
    for (const id of ids) lines.push(`${id},${id},1,view`);
    for (let r = 3000; r < 6000; r++) lines.push(`u${r},i${r},${r},view`);
    for (const id of ids) lines.push(`"${id}","${id}",2,click`);
    const log = await readEvents(await file('lengths.csv', `${lines.join('\n')}\n`));
    expect(log.skipped).toBe(0);
    const got = rows(log);
    const first = got.slice(3000, 3000 + ids.length);
    const second = got.slice(6000 + ids.length);
    expect(first.map((r) => r[0])).toEqual(ids);
    expect(first.map((r) => r[1])).toEqual(ids);
    expect(second.map((r) => r[0])).toEqual(ids);
    expect(second.map((r) => r[1])).toEqual(ids);
    // One user and one item index per distinct id, whichever path read it.
    for (let k = 0; k < ids.length; k++) {
      expect(log.users[6000 + ids.length + k]).toBe(log.users[3000 + k]);
      expect(log.items[6000 + ids.length + k]).toBe(log.items[3000 + k]);
    }
    expect(log.userCount).toBe(6000 + ids.length);
    expect(log.itemIds.length).toBe(6000 + ids.length);
  });

  it('refuses a missing file with INVALID_INPUT', async () => {
    const error = await readEvents(join(dir, 'nope.csv')).catch((e: unknown) => e);
    expect(isLikewiseError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toBe(
      `Cannot read events file ${join(dir, 'nope.csv')} (ENOENT).`,
    );
  });

  it('refuses what is not a regular file (a directory; a pipe would read as empty)', async () => {
    const error = await readEvents(dir).catch((e: unknown) => e);
    expect(isLikewiseError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toBe(
      `Events file ${dir} is not a regular file (a pipe or a directory): save the log to a file first.`,
    );
  });

  it('reads an empty file as an empty log', async () => {
    const log = await readEvents(await file('empty.csv', ''));
    expect(log.length).toBe(0);
    expect(log.itemIds).toEqual([]);
  });
});

describe('readEvents: NDJSON', () => {
  it('reads the CSV fields as JSON objects', async () => {
    const path = await file(
      'plain.ndjson',
      '{"user":"u1","item":"a","timestamp":100,"type":"view"}\n' +
        '{ "type" : "purchase", "item" : 7, "user" : "u2", "timestamp" : 101 }\n',
    );
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u1', 'a', 'view', 100_000],
      ['u2', '7', 'purchase', 101_000],
    ]);
    expect(log.format).toBe('ndjson');
  });

  it("reads the collector's LikewiseEvents: session as user, ts in ms, one row per purchase line", async () => {
    const events = [
      { id: 'e1', type: 'view', ts: 1_700_000_000_000, session: 's1', itemId: 'a' },
      {
        id: 'e2',
        type: 'purchase',
        ts: 1_700_000_001_000,
        session: 's1',
        items: [{ itemId: 'b', quantity: 2, price: 3 }, { itemId: 'c' }],
      },
      { id: 'e3', type: 'search', ts: 1_700_000_002_000, session: 's1', query: 'tea' },
      {
        id: 'e4',
        type: 'click',
        ts: '2024-01-01T00:00:00Z',
        session: 's2',
        itemId: 'a',
        user: 'alice',
      },
      { id: 'e5', type: 'view', ts: 1_700_000_003_000, session: 's3', itemId: 'say "hi"' },
    ];
    const path = await file('collected.ndjson', events.map((e) => JSON.stringify(e)).join('\n'));
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['s1', 'a', 'view', 1_700_000_000_000],
      ['s1', 'b', 'purchase', 1_700_000_001_000],
      ['s1', 'c', 'purchase', 1_700_000_001_000],
      ['alice', 'a', 'click', Date.UTC(2024, 0, 1)],
      ['s3', 'say "hi"', 'view', 1_700_000_003_000],
    ]);
    // The search has no item: it is not an interaction.
    expect(log.skipped).toBe(1);
  });

  it('reads a line the same on the fast and the slow path (an escape forces the slow one)', async () => {
    // Each pair: a line the byte scanner takes, and the same event with an
    // escaped extra field, which goes through JSON.parse.
    const values = [
      '42',
      '0',
      '-7',
      '1e3',
      '1.50',
      '12345678901234567891',
      'null',
      'true',
      'u3',
      '"s"',
    ];
    const lines = values.flatMap((v) => [
      `{"user":${v},"item":"a","timestamp":1,"type":"view"}`,
      `{"user":${v},"item":"a","timestamp":1,"type":"view","note":"\\n"}`,
    ]);
    lines.push(
      '{"user":"u","item":"b","timestamp":1,"type":"view"} trailing',
      '{"User":"u","Item":"c","timestamp":1,"type":"view"}',
      '{"User":"u","Item":"c","timestamp":1,"type":"view","note":"\\n"}',
    );
    const log = await readEvents(await file('paths.ndjson', lines.join('\n')));
    const users = rows(log).map((r) => `${r[0]}/${r[1]}`);
    expect(users).toEqual([
      ...['42', '0', '-7', '1000', '1.5', '12345678901234567000', 's'].flatMap((u) => [
        `${u}/a`,
        `${u}/a`,
      ]),
      'u/c',
      'u/c',
    ]);
    // null, true and the bare word twice each, and the trailing text.
    expect(log.skipped).toBe(7);
  });

  it('skips broken JSON, unknown types and lines without a user, and reads arrays of events', async () => {
    const path = await file(
      'mixed.jsonl',
      [
        '{"user":"u1","item":"a","timestamp":1,"type":"view"}',
        '{"user":"u1","item":"a","timestamp":1,"type":"view"', // truncated
        'not json',
        '{"user":"u1","item":"a","timestamp":1,"type":"hover"}',
        '{"item":"a","timestamp":1,"type":"view"}',
        '[{"user":"u2","item":"b","timestamp":2,"type":"click"},{"user":"u3","item":"c","timestamp":3,"type":"view"}]',
        '   ',
      ].join('\n'),
    );
    const log = await readEvents(path);
    expect(rows(log)).toEqual([
      ['u1', 'a', 'view', 1000],
      ['u2', 'b', 'click', 2000],
      ['u3', 'c', 'view', 3000],
    ]);
    expect(log.skipped).toBe(4);
  });

  it('detects NDJSON from the content when the extension says nothing, and obeys format', async () => {
    const path = await file('events.log', '{"user":"u","item":"a","timestamp":1,"type":"view"}\n');
    expect((await readEvents(path)).length).toBe(1);
    const forced = await readEvents(path, { format: 'csv' });
    expect(forced.length).toBe(0);
  });
});

describe('readEvents: big files', () => {
  const N = 200_000;
  let path: string;
  const types = ['view', 'click', 'add_to_cart', 'purchase'];
  beforeAll(async () => {
    let text = 'user,item,timestamp,type\n';
    for (let r = 0; r < N; r++) {
      // Every 1000th line is malformed; one in the second half otherwise.
      if (r === 150_999) text += `u,i,${r},wishlist\n`;
      else if (r % 1000 === 999) text += `broken line ${r}\n`;
      else text += `user-${(r * 7919) % 5003},item-${(r * 104729) % 997},${r},${types[r % 4]}\n`;
    }
    path = await file('big.csv', text);
  });

  it('round-trips counts across many small chunks', async () => {
    const log = await readEvents(path, { chunkSize: 4096 });
    expect(log.length).toBe(N - N / 1000);
    expect(log.skipped).toBe(N / 1000);
    expect(log.itemIds.length).toBe(997);
    expect(log.userCount).toBe(5003);
    // Spot-check order and content.
    expect(log.times[0]).toBe(0);
    expect(log.times[log.length - 1]).toBe((N - 2) * 1000);
    const r = 12_345 - Math.floor(12_345 / 1000);
    expect(log.userIds[log.users[r]]).toBe(`user-${(12_345 * 7919) % 5003}`);
    expect(log.itemIds[log.items[r]]).toBe(`item-${(12_345 * 104729) % 997}`);
  });

  it('gives the same log when the second half is parsed separately and merged', async () => {
    const one = await readEvents(path);
    let tasks = 0;
    const two = await readEvents(path, {
      parallelMinBytes: 0,
      parallel: (task) => {
        tasks++;
        expect(task.start).toBeGreaterThan(0);
        return readEventsRange(task);
      },
    });
    expect(tasks).toBe(1);
    expect(two.length).toBe(one.length);
    expect(two.skipped).toBe(one.skipped);
    // Line numbers count from the top of the file in both halves (the header is line 1).
    const skips = [
      { reason: 'wrong column count', count: N / 1000 - 1, firstLine: 1001 },
      { reason: 'unknown event type', count: 1, firstLine: 151_001 },
    ];
    expect(one.skips).toEqual(skips);
    expect(two.skips).toEqual(skips);
    expect(two.itemIds).toEqual(one.itemIds);
    expect(two.userIds).toEqual(one.userIds);
    expect(Array.from(two.users.subarray(0, two.length))).toEqual(
      Array.from(one.users.subarray(0, one.length)),
    );
    expect(Array.from(two.items.subarray(0, two.length))).toEqual(
      Array.from(one.items.subarray(0, one.length)),
    );
    expect(Array.from(two.times.subarray(0, two.length))).toEqual(
      Array.from(one.times.subarray(0, one.length)),
    );
  });

  it('parses the second half straight into shared columns, or copies a half that outgrew its room', async () => {
    // Lines of 40 and of about 12 bytes, the room sized from the first
    // megabyte: a half with more short lines than that predicts outgrows it
    // (this one's when they come first, the other's when they come last).
    const long = (r: number) => `visitor-${String(r).padStart(20, '0')},i${r % 7},${r},view`;
    const short = (r: number) => `u${r % 50},i${r % 7},${r},view`;
    for (const [name, lineOf] of [
      ['even', long],
      ['short-first', (r: number) => (r < 50_000 ? short(r) : long(r))],
      ['short-last', (r: number) => (r < 30_000 ? long(r) : short(r))],
    ] as const) {
      const lines = ['user,item,timestamp,type'];
      for (let r = 0; r < 70_000; r++) lines.push(lineOf(r));
      const events = await file(`${name}.csv`, `${lines.join('\n')}\n`);
      const one = await readEvents(events);
      let inPlace: boolean | undefined;
      const two = await readEvents(events, {
        shared: true,
        parallelMinBytes: 0,
        parallel: async (task) => {
          expect(task.into?.users.buffer).toBeInstanceOf(SharedArrayBuffer);
          const part = await readEventsRange(task);
          inPlace = part.inPlace;
          return part;
        },
      });
      expect([name, inPlace]).toEqual([name, name !== 'short-last']);
      expect(two.length).toBe(one.length);
      expect(two.userIds).toEqual(one.userIds);
      expect(two.itemIds).toEqual(one.itemIds);
      for (const column of ['users', 'items', 'types', 'times'] as const)
        expect(Array.from(two[column].subarray(0, two.length))).toEqual(
          Array.from(one[column].subarray(0, one.length)),
        );
    }
  });

  it('asks for a collection when a big id table grows, on both halves, with the same log', async () => {
    // 70,000 distinct users per half outgrow the 131,072-slot table (4 MiB,
    // kept at most half full): the first table big enough to be collected.
    const users = 140_000;
    const lines = ['user,item,timestamp,type'];
    for (let r = 0; r < users; r++) lines.push(`visitor-${r},item-${r % 97},${r},view`);
    const many = await file('many-users.csv', `${lines.join('\n')}\n`);
    const plain = await readEvents(many);
    let own = 0;
    let other = 0;
    const log = await readEvents(many, {
      collect: () => own++,
      parallelMinBytes: 0,
      parallel: (task) => readEventsRange(task, () => other++),
    });
    expect(own).toBeGreaterThanOrEqual(1);
    expect(other).toBeGreaterThanOrEqual(1);
    expect(log.length).toBe(plain.length);
    expect(log.userIds).toEqual(plain.userIds);
    expect(Array.from(log.users.subarray(0, log.length))).toEqual(
      Array.from(plain.users.subarray(0, plain.length)),
    );
  });

  it('interns users past the room reserved for them (one per 8 rows), and below it', async () => {
    // 60,000 rows reserve room for 7,500 users: 60,000 distinct users grow
    // past it, 3 users stay far below it; both read back exactly.
    for (const users of [60_000, 3]) {
      const lines = ['user,item,timestamp,type'];
      for (let r = 0; r < 60_000; r++) lines.push(`visitor-${(r * 7) % users},i${r % 5},${r},view`);
      const log = await readEvents(await file(`users-${users}.csv`, `${lines.join('\n')}\n`));
      expect(log.userCount).toBe(users);
      for (const r of [0, 1, 7_499, 7_500, 59_999])
        expect(log.userIds[log.users[r]]).toBe(`visitor-${(r * 7) % users}`);
      expect(new Set(log.users.subarray(0, log.length)).size).toBe(users);
    }
  });

  it('leaves small id tables to the runtime: no forced collection for a few thousand ids', async () => {
    let calls = 0;
    const log = await readEvents(path, {
      collect: () => calls++,
      parallelMinBytes: 0,
      parallel: (task) => readEventsRange(task, () => calls++),
    });
    expect(log.userCount).toBe(5003);
    expect(calls).toBe(0);
  });

  it('can put the columns in shared memory for worker threads', async () => {
    const log = await readEvents(path, { shared: true });
    expect(log.users.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(log.length).toBe(N - N / 1000);
  });
});
