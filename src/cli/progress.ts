/**
 * Progress of long CLI work on stderr: a bar redrawn in place on a terminal,
 * plain lines (one per stage) when stderr is a file or a pipe and the work
 * is long, nothing for short work off a terminal.
 */
import { formatDuration } from './formatDuration';
import type { CliIo } from './types';

/** What a command tells its progress display. */
export interface Progress {
  /**
   * Where the work is: `stage` names what runs now (`reading events`),
   * `fraction` how much of the whole job is done (0 to 1).
   */
  show(stage: string, fraction: number): void;
  /** Writes `text` (whole lines) to stderr without tearing the bar. */
  note(text: string): void;
  /** Removes the bar (a terminal keeps no half-drawn line). */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Off a terminal, print a line per stage only for long work (a big input file). Default false. */
  long?: boolean;
  /** Clock in ms (tests). Default `performance.now`. */
  now?: () => number;
}

const WIDTH = 30;

/**
 * A progress display for `command` on `io.stderr`.
 *
 * @example
 * const progress = createProgress(io, 'train', { long: size > 16 << 20 });
 * progress.show('reading events', 0.1); ... progress.done();
 */
export function createProgress(
  io: CliIo,
  command: string,
  { long = false, now = () => performance.now() }: ProgressOptions = {},
): Progress {
  const start = now();
  let stage = '';
  if (!io.stderr.isTTY) {
    return {
      show(next) {
        if (!long || next === stage) return;
        stage = next;
        const at = now() - start;
        io.stderr.write(
          `likewise ${command}: ${next}${at < 100 ? '' : ` (at ${formatDuration(at)})`}\n`,
        );
      },
      note: (text) => io.stderr.write(text),
      done() {},
    };
  }
  let bar = '';
  const draw = () => {
    if (bar) io.stderr.write(`\r${bar}`);
  };
  const clear = () => {
    if (bar) io.stderr.write(`\r${' '.repeat(bar.length)}\r`);
  };
  return {
    show(next, fraction) {
      const f = Math.max(0, Math.min(1, fraction));
      const filled = Math.round(f * WIDTH);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(f * 100)).padStart(3)}% ${next}`;
      if (line === bar.trimEnd()) return;
      // Pad to the last line's length, so a shorter label leaves no tail.
      const padded = line.padEnd(bar.length);
      bar = line;
      io.stderr.write(`\r${padded}`);
    },
    note(text) {
      clear();
      io.stderr.write(text);
      draw();
    },
    done() {
      clear();
      bar = '';
    },
  };
}
