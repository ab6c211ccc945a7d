/**
 * The `likewise` command-line entry: `likewise <command> [options]`. Built
 * to `dist/cli.mjs`, which `bin/likewise.mjs` imports. The same file also
 * serves as the script of the CLI's worker threads (see `runWorkerTask`).
 */
import { readFileSync } from 'node:fs';
import { CATALOG, run as catalog } from './catalog';
import { COLLECT, run as collect } from './collect';
import { EVAL, run as evaluate } from './eval';
import { RECOMMEND, run as recommend } from './recommend';
import { REPORT, run as report } from './report';
import { type CommandSpec, commandHelp } from './runCommand';
import { serveWorkerTask } from './runWorkerTask';
import { run as train } from './train';
import { TRAIN } from './train/trainArgs';
import type { CliCommand, CliIo } from './types';
import { workerTasks } from './workerTasks';

/** The commands, by name, with their option tables (the summary is `likewise --help`'s line). */
export const COMMANDS: Record<string, { run: CliCommand; spec: CommandSpec }> = {
  train: { run: train, spec: TRAIN },
  catalog: { run: catalog, spec: CATALOG },
  eval: { run: evaluate, spec: EVAL },
  report: { run: report, spec: REPORT },
  collect: { run: collect, spec: COLLECT },
  recommend: { run: recommend, spec: RECOMMEND },
};

/** The package version, read beside the built or source file. */
function packageVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'likewise' && pkg.version) return pkg.version;
    } catch {
      // Try the next place.
    }
  }
  return 'unknown';
}

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.spec.summary}`,
  );
  return `usage: likewise <command> [options]

Commands:
${lines.join('\n')}

Run \`likewise <command> --help\` (or \`likewise help <command>\`) for a command's options.
  --help      this text
  --version   the likewise version
`;
}

/**
 * Dispatches `argv` (without `node` and the script) to a command and
 * resolves to the exit code: the command's, 0 for `--help`/`--version`,
 * 2 for a missing or unknown command.
 *
 * @param version - Printed by `--version`. Default: from package.json.
 * @example process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
 */
export async function main(argv: string[], io: CliIo, version?: string): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(`likewise: a command is required.\n\n${overview()}`);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    // `likewise help train` is `likewise train --help`.
    const named = COMMANDS[rest[0] ?? ''];
    io.stdout.write(command === 'help' && named ? commandHelp(named.spec) : overview());
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${version ?? packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.stderr.write(
      `likewise: unknown command '${command}'. Commands: ${Object.keys(COMMANDS).join(', ')}.\n` +
        'Run `likewise --help` for usage.\n',
    );
    return 2;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    io.stderr.write(
      `likewise ${command}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

// Start only as the built CLI (dist/cli.mjs), never when imported from
// source (tests): there, nothing runs at import.
if (/\/cli\.m?js$/.test(import.meta.url) && !serveWorkerTask(workerTasks)) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`likewise: ${String(error)}\n`);
      process.exitCode = 1;
    });
}
