/**
 * `likewise report`: what recommendations did, from a collected NDJSON log
 * (the output of `likewise collect`): per widget, scenario and group, and the
 * lift of treatment over holdout with 95 % confidence intervals.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { computeLift, type Interval, type LiftResult } from '../metrics/computeLift';
import { computeReport, type Report, visitorTotals } from '../metrics/computeReport';
import { validateEvent } from '../metrics/validateEvent';
import type { LikewiseEvent } from '../types';
import { skipBlock, tallySkips } from './describeSkips';
import { binaryKind, readHead, type SkippedLines } from './readEvents';
import { defineCommand, numberOption, runCommand, UsageError } from './runCommand';
import type { CliCommand } from './types';

/** What `likewise report --json` prints. */
export interface ReportOutput {
  /** Lines that were not valid events (malformed JSON or failed validation). */
  skippedLines: number;
  report: Report;
  lift: LiftResult;
}

/** What {@link readEventLines} found in a file. */
export interface EventLines {
  events: LikewiseEvent[];
  /** Lines (or events in a line's array) that were not valid events. */
  skipped: number;
  /** Why, by reason, with the first line of each. */
  skips: SkippedLines[];
  /** The first line that is not blank, or undefined for a file of blank lines. */
  firstLine?: string;
}

/**
 * Reads an NDJSON file of `LikewiseEvent` lines (a line may also hold an
 * array of events); invalid lines are counted by reason, not fatal.
 * Duplicate ids are kept once.
 */
export async function readEventLines(path: string): Promise<EventLines> {
  const events: LikewiseEvent[] = [];
  const seen = new Set<string>();
  const tally = tallySkips();
  let skipped = 0;
  let firstLine: string | undefined;
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const raw of lines) {
    n++;
    // A byte-order mark (an editor's save) is not part of the first line's JSON.
    const line = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === '') continue;
    firstLine ??= line;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      tally.add('not JSON', n);
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      // Identify links (visitor to customer) are stored beside the events: no event, no error.
      if ((v as { type?: unknown } | null)?.type === 'identify') continue;
      const r = validateEvent(v);
      if (!r.ok) {
        skipped++;
        tally.add(r.error, n);
      } else if (!seen.has(r.event.id)) {
        seen.add(r.event.id);
        events.push(r.event);
      }
    }
  }
  return { events, skipped, skips: tally.list(), firstLine };
}

/** What `likewise report` reads, for messages about files that are something else. */
const REPORT_EXPECTED =
  "expected NDJSON of the SDK's events (what likewise collect writes), one JSON event per line";

/**
 * Why `read` holds no events, in words: an empty file, a CSV or other
 * text that is no NDJSON, or lines that are no valid events.
 */
function noEvents(file: string, read: EventLines): string {
  const first = read.firstLine?.trim();
  if (first === undefined) return `${file} has no events (it has no lines): ${REPORT_EXPECTED}.`;
  if (first[0] !== '{' && first[0] !== '[') {
    const shown = first.length > 60 ? `${first.slice(0, 60)}...` : first;
    const csv = /,/.test(first) ? ' (a training log is for likewise train and likewise eval)' : '';
    return `${file} is not NDJSON: its first line is "${shown}"${csv}; ${REPORT_EXPECTED}.`;
  }
  return `no valid events in ${file}: ${REPORT_EXPECTED}.`;
}

/**
 * The report and the lift for a list of events (what the command prints
 * with `--json`). The unit of the lift is the visitor (`visitor` field, else
 * the session).
 */
export function buildReport(
  events: LikewiseEvent[],
  windowDays: number,
  currency?: string,
): Omit<ReportOutput, 'skippedLines'> {
  const report = computeReport(events, { windowDays, currency });
  const lift = computeLift(visitorTotals(events, { currency: report.currency ?? undefined }));
  return { report, lift };
}

/** `likewise report`'s option table. */
export const REPORT = defineCommand({
  name: 'report',
  summary: 'impressions, clicks and conversions per widget',
  usage: '--events FILE [options]',
  description:
    'Measures recommendations from a collected NDJSON event log: impressions,\n' +
    'clicks, CTR, attributed add-to-carts, purchases and revenue per widget,\n' +
    'scenario and experiment group; and the lift of treatment over holdout on\n' +
    'conversion rate and revenue per session, with 95% confidence intervals.',
  options: {
    events: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'NDJSON of events (from likewise collect)',
    },
    json: { type: 'boolean', help: 'print JSON instead of tables' },
    'window-days': {
      type: 'string',
      value: 'N',
      help: 'attribution window after a recommendation click, in days',
      default: '7',
    },
    currency: {
      type: 'string',
      value: 'CODE',
      help: 'currency of revenue (ISO 4217, like EUR)',
      default: 'the most frequent one',
    },
  },
});

const num = (x: number, digits = 2) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x: number | null, digits = 2) => (x === null ? '-' : `${num(x * 100, digits)}%`);
const signed = (x: number, fmt: (v: number) => string) => (x >= 0 ? '+' : '-') + fmt(Math.abs(x));

/** Aligned columns: the first `left` left-aligned (names), the rest right-aligned (figures). */
function table(rows: string[][], left: number): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c < left ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function interval(i: Interval | null, fmt: (v: number) => string): string {
  if (!i) return 'n/a';
  return `${signed(i.estimate, fmt)} [${signed(i.lower, fmt)}, ${signed(i.upper, fmt)}]`;
}

/** The human-readable report. */
export function formatReport(out: ReportOutput): string {
  const { report, lift } = out;
  const money = (x: number) => num(x);
  const lines: string[] = [];
  lines.push(
    `likewise report: ${report.events} events${out.skippedLines ? ` (${out.skippedLines} invalid lines skipped)` : ''}, ` +
      `attribution window ${report.windowDays} days, revenue in ${report.currency ?? '(no currency)'}`,
  );
  lines.push('', 'Per widget (attributed to recommendation clicks)');
  if (report.widgets.length === 0) lines.push('(no impressions or recommendation clicks)');
  else {
    lines.push(
      table(
        [
          [
            'widget',
            'scenario',
            'group',
            'impressions',
            'clicks',
            'CTR',
            'add-to-carts',
            'purchases',
            'revenue',
          ],
          ...report.widgets.map((w) => [
            w.widget,
            w.scenario,
            w.group,
            String(w.impressions),
            String(w.clicks),
            pct(w.ctr),
            String(w.addToCarts),
            String(w.purchases),
            money(w.revenue),
          ]),
        ],
        3,
      ),
    );
  }
  lines.push('', 'Per group (all sessions)');
  lines.push(
    table(
      [
        [
          'group',
          'visitors',
          'sessions',
          'converted',
          'conv. rate',
          'revenue',
          'rev./session',
          'attributed',
        ],
        ...report.groups.map((g) => [
          g.group,
          String(g.visitors),
          String(g.sessions),
          String(g.convertedSessions),
          pct(g.conversionRate),
          money(g.revenue),
          g.revenuePerSession === null ? '-' : money(g.revenuePerSession),
          money(g.attributedRevenue),
        ]),
      ],
      1,
    ),
  );
  lines.push('', 'Lift of treatment over holdout, 95% confidence intervals');
  if (lift.treatment.sessions === 0 || lift.holdout.sessions === 0) {
    lines.push('(needs sessions in both groups: set experiment.holdout in createLikewise)');
  } else {
    const pp = (x: number) => `${num(x * 100)} pp`;
    const rel = (x: number) => `${num(x * 100, 1)}%`;
    lines.push(
      `conversion rate:     ${interval(lift.conversionRate.difference, pp)}; relative ${interval(lift.conversionRate.relative, rel)}`,
      `revenue per session: ${interval(lift.revenuePerSession.difference, money)}; relative ${interval(lift.revenuePerSession.relative, rel)}`,
      `method: conversion rate: ${lift.conversionRate.method}.`,
      `method: revenue per session: ${lift.revenuePerSession.method}.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `likewise report --events FILE [--json] [--window-days N] [--currency CODE]`.
 * Resolves 0, 2 for usage errors, 1 when the file cannot be read.
 */
export const run: CliCommand = (argv, io) =>
  runCommand(REPORT, argv, io, async (values) => {
    const windowDays = numberOption('window-days', values['window-days'], 7, { min: 0 });
    if (values.currency !== undefined && !/^[A-Z]{3}$/.test(values.currency))
      throw new UsageError(`--currency must be an ISO 4217 code like EUR, got ${values.currency}`);
    const path = resolve(io.cwd, values.events);
    let read: EventLines;
    try {
      const binary = binaryKind(await readHead(path));
      if (binary) {
        io.stderr.write(
          `likewise report: ${values.events} looks like ${binary}, not a text log: ${REPORT_EXPECTED}.\n`,
        );
        return 1;
      }
      read = await readEventLines(path);
    } catch (e) {
      io.stderr.write(`likewise report: cannot read ${path}: ${(e as Error).message}\n`);
      return 1;
    }
    io.stderr.write(skipBlock('report', read.skips));
    if (read.events.length === 0) {
      io.stderr.write(`likewise report: ${noEvents(values.events, read)}\n`);
      return 1;
    }
    const out: ReportOutput = {
      skippedLines: read.skipped,
      ...buildReport(read.events, windowDays, values.currency),
    };
    io.stdout.write(values.json ? `${JSON.stringify(out, null, 2)}\n` : formatReport(out));
    return 0;
  });
