// @vitest-environment node
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/eval';
import { syntheticLog } from '../engine/synthetic';

const dir = mkdtempSync(join(tmpdir(), 'likewise-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      cwd: dir,
    },
  };
}

// A generated shop log written as the CSV that `likewise eval` reads.
const log = syntheticLog({ users: 60, items: 40, seed: 5 });
const lines = ['user,item,timestamp,type'];
for (let r = 0; r < log.length; r++)
  lines.push(
    `${log.userIds[log.users[r]]},${log.itemIds[log.items[r]]},${log.times[r] / 1000},view`,
  );
writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);

describe('likewise eval', () => {
  it('prints exactly one JSON object with --json', async () => {
    const { out, io: cli } = io();
    expect(await run(['--events', 'events.csv', '--json'], cli)).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(Object.keys(result)).toEqual(['users', 'items', 'models']);
    expect(result.users).toBeGreaterThan(0);
    expect(Object.keys(result.models)).toEqual(['default', 'reference', 'popularity']);
    const keys = ['hr10', 'ndcg10', 'coverage10', 'buildMs', 'scoreMs'];
    for (const [name, m] of Object.entries(result.models) as [string, Record<string, number>][]) {
      // Neighbour models also give their co-occurring pairs (for ns per pair).
      expect(Object.keys(m)).toEqual(name === 'popularity' ? keys : [...keys, 'pairs']);
      if (name !== 'popularity') expect(m.pairs).toBeGreaterThan(0);
      expect(m.hr10).toBeGreaterThanOrEqual(0);
      expect(m.hr10).toBeLessThanOrEqual(1);
      expect(m.coverage10).toBeGreaterThan(0);
    }
  });

  it('prints a readable table by default', async () => {
    const { out, io: cli } = io();
    expect(await run(['--events', 'events.csv', '--k', '20'], cli)).toBe(0);
    expect(out.stdout).toMatch(/HR@10/);
    expect(out.stdout).toMatch(/^default\s+\d\.\d{4}/m);
    expect(out.stdout).toMatch(/^reference\s/m);
    expect(out.stdout).toMatch(/^popularity\s/m);
  });

  it('resolves 2 with a clear message on usage errors', async () => {
    for (const [argv, message] of [
      [[], '--events FILE is required'],
      [['--events'], '--events needs a value'],
      [['--events', 'events.csv', '--k', 'ten'], '--k must be an integer >= 1, got ten'],
      [['--events', 'events.csv', '--frobnicate'], 'unknown option --frobnicate'],
    ] as [string[], string][]) {
      const { out, io: cli } = io();
      expect(await run(argv, cli)).toBe(2);
      expect(out.stderr).toContain(message);
      expect(out.stderr).toContain('usage: likewise eval');
    }
  });

  it('adds the tuned model with its configuration under models with --tune --json, candidates on stderr', async () => {
    const { out, io: cli } = io();
    expect(await run(['--events', 'events.csv', '--tune', '--json'], cli)).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(Object.keys(result.models)).toEqual(['default', 'reference', 'popularity', 'tuned']);
    const tuned = result.models.tuned;
    expect(Object.keys(tuned)).toEqual(['hr10', 'ndcg10', 'coverage10', 'config']);
    expect(['cosine', 'sequence']).toContain(tuned.config.similarity);
    expect(tuned.config.k).toBeGreaterThan(0);
    expect(tuned.config.recencyHalfLife).toBeGreaterThan(0);
    expect(result.tuning.candidates).toBeGreaterThan(10);
    // Every candidate is printed (stdout holds the JSON only), then the winner.
    const rows = out.stderr.split('\n').filter((l) => /^[ *]\s+\d\.\d{4}\s+\d\.\d{4}/.test(l));
    expect(rows).toHaveLength(result.tuning.candidates + 1);
    expect(rows[rows.length - 1].startsWith('*')).toBe(true);
    expect(out.stderr).toMatch(/winner: (cosine|sequence), k \d+/);
  });

  it('resolves 1 when the file cannot be read', async () => {
    const { out, io: cli } = io();
    expect(await run(['--events', 'missing.csv'], cli)).toBe(1);
    expect(out.stderr).toContain('cannot read missing.csv');
  });

  describe('fails with what it expected on a file that is no event log', () => {
    const expected =
      'expected CSV (a user,item,timestamp,type header; timestamps in unix seconds) or NDJSON with the same fields or the SDK events that likewise collect writes.';
    const noise = Buffer.alloc(3000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 131) % 256;
    it.each([
      [
        'empty.csv',
        '',
        `likewise eval: no usable events in empty.csv (it has no lines): ${expected}\n`,
      ],
      ['noise.bin', noise, 'looks like a binary file, not a text log'],
      [
        'micro.csv',
        'user,item,timestamp,type\nu1,a,1700000000000000,view\nu1,b,1700000000000001,view\n',
        'likewise eval: 2 lines skipped:\n  time after the year 2100 (likewise reads unix seconds or milliseconds: microseconds?): 2 lines, the first is line 2\n' +
          `likewise eval: no usable events in micro.csv: ${expected}\n`,
      ],
      [
        'semicolons.csv',
        'user;item;timestamp;type\nu1;a;1700000000;view\n',
        'looks semicolon-separated',
      ],
      [
        'single.csv',
        'user,item,timestamp,type\nu1,a,1700000000,view\nu2,b,1700000000,view\n',
        'likewise eval: no user in single.csv has two or more distinct items',
      ],
    ])('%s: exit 1, nothing on stdout', async (name, content, message) => {
      writeFileSync(join(dir, name), content);
      const { out, io: cli } = io();
      expect(await run(['--events', name], cli)).toBe(1);
      expect(out.stdout).toBe('');
      if (message.endsWith('\n')) expect(out.stderr).toBe(message);
      else expect(out.stderr).toContain(message);
    });
  });
});
