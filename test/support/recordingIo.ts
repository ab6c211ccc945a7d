import type { CliIo } from '../../src/cli/types';

/** A CLI's input and output that keeps what it writes, for tests of the commands. */
export function recordingIo(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    cwd,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  };
}
