/**
 * Why lines of an input file were skipped, in words: counts per reason with
 * the first line of each, and a hint when the file looks semicolon-separated.
 */
import { EVENT_LOG_EXPECTED, type ReadEventsResult, type SkippedLines } from './readEvents';

const plural = (n: number) => `${n} ${n === 1 ? 'line' : 'lines'}`;

/** How many reasons are listed; the rest are summed on one line. */
const LISTED = 6;

/**
 * The lines that explain `skips` (most frequent first, as `readEvents`
 * gives them), each indented by two spaces; none when nothing was skipped.
 *
 * @param semicolons - The file's first line has `;` and no `,`: adds a hint.
 * @example describeSkips([{ reason: 'unknown event type', count: 3, firstLine: 7 }], false)
 * // ['  unknown event type: 3 lines, the first is line 7']
 */
export function describeSkips(skips: readonly SkippedLines[], semicolons = false): string[] {
  const lines = skips
    .slice(0, LISTED)
    .map((s) => `  ${s.reason}: ${plural(s.count)}, the first is line ${s.firstLine}`);
  const rest = skips.slice(LISTED).reduce((n, s) => n + s.count, 0);
  if (rest > 0) lines.push(`  other reasons: ${plural(rest)}`);
  if (semicolons && skips.length > 0)
    lines.push(
      "  The file looks semicolon-separated (its first line has ';' and no ','): likewise reads",
      '  comma-separated CSV; export it with commas (user,item,timestamp,type).',
    );
  return lines;
}

/** `N lines skipped:` and {@link describeSkips}, as one block (ends in a newline); '' when none. */
export function skipBlock(
  command: string,
  skips: readonly SkippedLines[],
  semicolons = false,
): string {
  const total = skips.reduce((n, s) => n + s.count, 0);
  if (total === 0) return '';
  return `likewise ${command}: ${plural(total)} skipped:\n${describeSkips(skips, semicolons).join('\n')}\n`;
}

/**
 * Writes (with `write`, to stderr) why lines of `file` were skipped (see {@link skipBlock});
 * when no line was usable, also that the file is no event log and what one
 * is, and returns false.
 */
export function explainSkips(
  write: (text: string) => void,
  command: string,
  file: string,
  log: Pick<ReadEventsResult, 'length' | 'skips' | 'semicolons'>,
): boolean {
  write(skipBlock(command, log.skips, log.semicolons));
  if (log.length > 0) return true;
  write(
    `likewise ${command}: no usable events in ${file}${log.skips.length === 0 ? ' (it has no lines)' : ''}: ${EVENT_LOG_EXPECTED}.\n`,
  );
  return false;
}

/** Counts skipped lines by reason, keeping the first line of each. */
export interface SkipTally {
  add(reason: string, line: number): void;
  /** The reasons, most frequent first (as `readEvents` gives them). */
  list(): SkippedLines[];
}

/** A {@link SkipTally} for readers whose reasons are messages (`validateEvent`'s). */
export function tallySkips(): SkipTally {
  const byReason = new Map<string, SkippedLines>();
  return {
    add(reason, line) {
      const s = byReason.get(reason);
      if (s) s.count++;
      else byReason.set(reason, { reason, count: 1, firstLine: line });
    },
    list: () =>
      [...byReason.values()].sort((a, b) => b.count - a.count || a.firstLine - b.firstLine),
  };
}
