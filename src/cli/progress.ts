/**
 * Progress of long CLI work on stderr.
 */
import type { CliIo } from './types';

/** A one-line progress bar on stderr, only when it is a terminal. */
export function progress(io: CliIo): (label: string, fraction: number) => void {
  if (!io.stderr.isTTY) return () => {};
  let last = '';
  return (label, fraction) => {
    const f = Math.max(0, Math.min(1, fraction));
    const width = 30;
    const done = Math.round(f * width);
    const line = `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${String(Math.round(f * 100)).padStart(3)}% ${label.padEnd(24)}`;
    if (line !== last) io.stderr.write(line);
    last = line;
    if (f >= 1 && label === 'done') io.stderr.write('\n');
  };
}
