// @vitest-environment node
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ReportOutput, run } from '../../src/cli/report';
import type { LikewiseEvent } from '../../src/types';

const T0 = 1_700_000_000_000;
let n = 0;
const ev = (
  visitor: string,
  group: 'treatment' | 'holdout',
  session: string,
  e: Partial<LikewiseEvent>,
): LikewiseEvent =>
  ({ id: `r${++n}`, ts: T0 + n * 1000, visitor, group, session, ...e }) as LikewiseEvent;
const home = { widget: 'home', scenario: 'for-you' as const };

/**
 * Treatment: A (sessions a1, a2; buys p for 30 after clicking it), B (b1, nothing), C (c1, buys q for 10 unprompted).
 * Holdout: D (d1; buys t for 5 after clicking it), E (e1, nothing), F (f1, f2; buys for 4 and 6).
 * Per arm 4 sessions; converted 2 (treatment) and 3 (holdout); revenue 40 and 15.
 */
const events: LikewiseEvent[] = [
  ev('A', 'treatment', 'a1', { type: 'impression', rec: 'r1', pos: 0, itemId: 'p', ...home }),
  ev('A', 'treatment', 'a1', { type: 'impression', rec: 'r1', pos: 1, itemId: 'q', ...home }),
  ev('A', 'treatment', 'a1', { type: 'click', rec: 'r1', pos: 0, itemId: 'p', ...home }),
  ev('A', 'treatment', 'a1', { type: 'purchase', itemId: 'p', price: 30, currency: 'EUR' }),
  ev('A', 'treatment', 'a2', { type: 'view', itemId: 'p' }),
  ev('B', 'treatment', 'b1', { type: 'impression', rec: 'r2', pos: 0, itemId: 'p', ...home }),
  ev('B', 'treatment', 'b1', { type: 'view', itemId: 'p' }),
  ev('C', 'treatment', 'c1', { type: 'purchase', itemId: 'q', price: 10, currency: 'EUR' }),
  ev('D', 'holdout', 'd1', { type: 'impression', rec: 'r3', pos: 0, itemId: 't', ...home }),
  ev('D', 'holdout', 'd1', { type: 'click', rec: 'r3', pos: 0, itemId: 't', ...home }),
  ev('D', 'holdout', 'd1', { type: 'purchase', itemId: 't', price: 5, currency: 'EUR' }),
  ev('E', 'holdout', 'e1', { type: 'view', itemId: 't' }),
  ev('F', 'holdout', 'f1', { type: 'purchase', itemId: 'u', price: 4, currency: 'EUR' }),
  ev('F', 'holdout', 'f2', {
    type: 'purchase',
    items: [{ itemId: 'u', price: 3, quantity: 2 }],
    currency: 'EUR',
  }),
];

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      cwd: mkdtempSync(join(tmpdir(), 'lw-report-')),
    },
  };
}

function logFile(dir: string): string {
  const lines = events.map((e) => JSON.stringify(e));
  lines.splice(
    3,
    0,
    'not json',
    JSON.stringify({ ...events[0], id: 'bad', type: 'hover' }),
    lines[0],
  );
  writeFileSync(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
  return 'events.ndjson';
}

describe('likewise report', () => {
  it('--json: per widget figures and the lift with hand-computed intervals', async () => {
    const { io: cli, out } = io();
    const code = await run(['--events', logFile(cli.cwd), '--json'], cli);
    expect(out.stderr).toBe(
      'likewise report: 2 lines skipped:\n' +
        '  not JSON: 1 line, the first is line 4\n' +
        '  type is not a known event type: 1 line, the first is line 5\n',
    );
    expect(code).toBe(0);
    const r = JSON.parse(out.stdout) as ReportOutput;
    expect(r.skippedLines).toBe(2);
    expect(r.report.events).toBe(events.length);
    expect(r.report.widgets).toEqual([
      {
        widget: 'home',
        scenario: 'for-you',
        group: 'treatment',
        impressions: 3,
        clicks: 1,
        ctr: 1 / 3,
        addToCarts: 0,
        purchases: 1,
        revenue: 30,
      },
      {
        widget: 'home',
        scenario: 'for-you',
        group: 'holdout',
        impressions: 1,
        clicks: 1,
        ctr: 1,
        addToCarts: 0,
        purchases: 1,
        revenue: 5,
      },
    ]);
    expect(
      r.report.groups.map((g) => [
        g.group,
        g.visitors,
        g.sessions,
        g.convertedSessions,
        g.revenue,
        g.revenuePerSession,
      ]),
    ).toEqual([
      ['treatment', 3, 4, 2, 40, 10],
      ['holdout', 3, 4, 3, 15, 3.75],
    ]);
    // Conversion 2/4 vs 3/4: Newcombe [-0.6553, 0.3196]; Katz relative [-0.7850, 1.0670].
    const c = r.lift.conversionRate;
    expect(c.difference!.estimate).toBeCloseTo(-0.25, 12);
    expect(c.difference!.lower).toBeCloseTo(-0.655286660349105, 10);
    expect(c.difference!.upper).toBeCloseTo(0.3195572515133034, 10);
    expect(c.relative!.lower).toBeCloseTo(-0.7849857216618228, 10);
    expect(c.relative!.upper).toBeCloseTo(1.0670461881857753, 10);
    // Revenue per session 10 vs 3.75, delta method by visitor: 6.25 [-2.689, 15.189].
    const rev = r.lift.revenuePerSession;
    expect(rev.difference!.estimate).toBeCloseTo(6.25, 12);
    expect(rev.difference!.lower).toBeCloseTo(-2.688978946733318, 10);
    expect(rev.difference!.upper).toBeCloseTo(15.188978946733318, 10);
    expect(rev.relative!.lower).toBeCloseTo(-0.1399428866472915, 10);
  });

  it('prints readable tables, the lift and the method', async () => {
    const { io: cli, out } = io();
    expect(await run(['--events', logFile(cli.cwd)], cli)).toBe(0);
    expect(out.stdout).toContain(
      '14 events (2 invalid lines skipped), attribution window 7 days, revenue in EUR',
    );
    expect(out.stdout).toMatch(/home\s+for-you\s+treatment\s+3\s+1\s+33\.33%\s+0\s+1\s+30\.00/);
    expect(out.stdout).toMatch(/holdout\s+3\s+4\s+3\s+75\.00%\s+15\.00\s+3\.75\s+5\.00/);
    expect(out.stdout).toContain(
      'conversion rate:     -25.00 pp [-65.53 pp, +31.96 pp]; relative -33.3% [-78.5%, +106.7%]',
    );
    expect(out.stdout).toContain(
      'revenue per session: +6.25 [-2.69, +15.19]; relative +166.7% [-14.0%, +726.8%]',
    );
    expect(out.stdout).toContain('Newcombe hybrid score');
  });

  it('a shorter window changes attribution', async () => {
    const { io: cli, out } = io();
    const file = join(cli.cwd, 'late.ndjson');
    const click = ev('A', 'treatment', 's', { type: 'click', rec: 'r', itemId: 'x', ...home });
    const buy = {
      ...ev('A', 'treatment', 's2', { type: 'purchase', itemId: 'x', price: 7 }),
      ts: click.ts + 2 * 86_400_000,
    };
    writeFileSync(file, `${JSON.stringify(click)}\n${JSON.stringify(buy)}\n`);
    await run(['--events', file, '--json', '--window-days', '1'], cli);
    expect((JSON.parse(out.stdout) as ReportOutput).report.widgets[0].revenue).toBe(0);
    out.stdout = '';
    await run(['--events', file, '--json', '--window-days', '2'], cli);
    expect((JSON.parse(out.stdout) as ReportOutput).report.widgets[0].revenue).toBe(7);
  });

  it('reads a log that starts with a byte-order mark like one without', async () => {
    const lines = events.map((e) => JSON.stringify(e)).join('\n');
    const results = [];
    for (const [name, text] of [
      ['plain.ndjson', lines],
      ['bom.ndjson', `\ufeff${lines}`],
    ]) {
      const { io: cli, out } = io();
      writeFileSync(join(cli.cwd, name), text);
      expect(await run(['--events', name, '--json'], cli)).toBe(0);
      results.push(JSON.parse(out.stdout) as ReportOutput);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[1].report.events).toBe(events.length);
  });

  it('usage errors resolve 2 and a missing file 1, with clear messages', async () => {
    const a = io();
    expect(await run([], a.io)).toBe(2);
    expect(a.out.stderr).toContain('likewise report: --events FILE is required');
    const b = io();
    expect(await run(['--events', 'x', '--window-days=-3'], b.io)).toBe(2);
    expect(b.out.stderr).toContain('--window-days must be a number >= 0, got -3');
    const c = io();
    expect(await run(['--events', 'missing.ndjson'], c.io)).toBe(1);
    expect(c.out.stderr).toContain('likewise report: cannot read');
    const d = io();
    expect(await run(['--bogus'], d.io)).toBe(2);
  });

  describe('fails with what it expected on a file that is no collected log', () => {
    const expected =
      "expected NDJSON of the SDK's events (what likewise collect writes), one JSON event per line.";
    const noise = Buffer.alloc(3000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 131) % 256;
    it.each([
      [
        'empty.ndjson',
        '\n\n',
        `likewise report: empty.ndjson has no events (it has no lines): ${expected}\n`,
      ],
      [
        'noise.bin',
        noise,
        `likewise report: noise.bin looks like a binary file, not a text log: ${expected}\n`,
      ],
      [
        'train.csv',
        'user,item,timestamp,type\nu1,a,1700000000,view\n',
        'likewise report: train.csv is not NDJSON: its first line is "user,item,timestamp,type" (a training log is for likewise train and likewise eval)',
      ],
      [
        'micro.ndjson',
        `${JSON.stringify({ ...events[0], ts: T0 * 1000 })}\n`,
        'likewise report: 1 line skipped:\n  ts must be a time in ms since 1970, before 2100: 1 line, the first is line 1\n' +
          `likewise report: no valid events in micro.ndjson: ${expected}\n`,
      ],
    ])('%s: exit 1, nothing on stdout', async (name, content, message) => {
      const { out, io: cli } = io();
      writeFileSync(join(cli.cwd, name), content);
      expect(await run(['--events', name], cli)).toBe(1);
      expect(out.stdout).toBe('');
      if (message.endsWith('\n')) expect(out.stderr).toBe(message);
      else expect(out.stderr).toContain(message);
    });
  });
});
