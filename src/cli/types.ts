/** What every CLI command gets: its arguments and where to write. */
export interface CliIo {
  /** Text, or UTF-8 bytes (`likewise recommend` writes its answers as bytes). */
  stdout: { write(chunk: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Working directory for relative paths. */
  cwd: string;
}

/**
 * A command (`likewise train`, `eval`, `report`, `collect`): each lives in
 * `src/cli/<name>.ts` and exports `run` with this signature. It resolves to
 * the process exit code; usage errors print a clear message and resolve 2.
 */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;
