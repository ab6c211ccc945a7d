// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main';
import {
  choiceOption,
  commandHelp,
  defineCommand,
  integerOption,
  numberOption,
  runCommand,
  UsageError,
} from '../../src/cli/runCommand';
import type { CliIo } from '../../src/cli/types';

function io(): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd: process.cwd(),
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const SPEC = defineCommand({
  name: 'demo',
  summary: 'a test command',
  usage: '--in FILE [options]',
  description: 'Does nothing useful.',
  options: {
    in: { type: 'string', value: 'FILE', required: true, help: 'the input' },
    n: { type: 'string', value: 'N', help: 'how many\nof them', default: '3' },
    tag: { type: 'string', value: 'T', multiple: true, help: 'a tag' },
    quiet: { type: 'boolean', short: 'q', help: 'say less' },
  },
});

async function demo(argv: string[]) {
  const cli = io();
  let seen: unknown;
  const code = await runCommand(SPEC, argv, cli, async (values) => {
    seen = { ...values, n: integerOption('n', values.n, 3, 1, 10) };
    return 0;
  });
  return { code, seen, out: cli.out(), err: cli.err() };
}

describe('runCommand', () => {
  it('passes the values, with both --flag value and --flag=value, repeats and short switches', async () => {
    const r = await demo(['--in', 'a.csv', '--n=7', '--tag', 'x', '--tag', 'y', '-q']);
    expect(r.code).toBe(0);
    expect(r.seen).toEqual({ in: 'a.csv', n: 7, tag: ['x', 'y'], quiet: true });
    expect((await demo(['--in', 'a.csv'])).seen).toEqual({ in: 'a.csv', n: 3 });
  });

  it('prints the help from the option table, defaults and required marks included', async () => {
    const r = await demo(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'usage: likewise demo --in FILE [options]',
        '',
        'Does nothing useful.',
        '',
        'Options:',
        '  --in FILE    the input (required)',
        '  --n N        how many',
        '               of them (default: 3)',
        '  --tag T      a tag; repeatable',
        '  -q, --quiet  say less',
        '  -h, --help   print this help',
        '',
      ].join('\n'),
    );
    expect((await demo(['-h'])).out).toBe(r.out);
  });

  it.each([
    [[], '--in FILE is required'],
    [['--in'], '--in needs a value'],
    [['--in', '--n', '2'], '--in needs a value'],
    [['--in', 'a', '--bogus'], 'unknown option --bogus'],
    [['--in', 'a', 'stray'], 'unexpected argument stray'],
    [['--in', 'a', '--quiet=yes'], '--quiet takes no value'],
    [['--in', 'a', '--n', '11'], '--n must be an integer from 1 to 10, got 11'],
  ])('%j is a usage error: exit 2, the problem, then the help', async (argv, message) => {
    const r = await demo(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.seen).toBeUndefined();
    expect(r.err).toBe(`likewise demo: ${message}\n\n${commandHelp(SPEC)}`);
  });

  it('lets other errors through to the dispatcher', async () => {
    const boom = runCommand(SPEC, ['--in', 'a'], io(), async () => {
      throw new Error('disk on fire');
    });
    await expect(boom).rejects.toThrow('disk on fire');
  });
});

describe('option checks', () => {
  it('integers, numbers and choices: the fallback when absent, a UsageError naming the flag otherwise', () => {
    expect(integerOption('k', undefined, 5, 1)).toBe(5);
    expect(integerOption('k', '12', 5, 1)).toBe(12);
    for (const bad of ['0', '1.5', '', 'ten', '1e400'])
      expect(() => integerOption('k', bad, 5, 1)).toThrow(UsageError);
    expect(() => integerOption('k', '0', 5, 1)).toThrow('--k must be an integer >= 1, got 0');
    expect(numberOption('days', '0.5', 7, { min: 0 })).toBe(0.5);
    expect(() => numberOption('rate', '0', 10, { min: 0, exclusive: true })).toThrow(
      '--rate must be a number > 0, got 0',
    );
    expect(choiceOption('format', 'csv', ['csv', 'ndjson'], undefined)).toBe('csv');
    expect(choiceOption('format', undefined, ['csv', 'ndjson'], undefined)).toBeUndefined();
    expect(() => choiceOption('s', 'x', ['a', 'b', 'c'], 'a')).toThrow(
      '--s must be a, b or c, got x',
    );
  });
});

describe('every command', () => {
  it.each(Object.keys(COMMANDS))(
    '%s documents every option in the one help style',
    async (name) => {
      const { run, spec } = COMMANDS[name];
      const cli = io();
      expect(await run(['--help'], cli)).toBe(0);
      const help = cli.out();
      expect(help).toBe(commandHelp(spec));
      expect(help).toMatch(new RegExp(`^usage: likewise ${name} `));
      for (const option of Object.keys(spec.options))
        expect(help).toMatch(new RegExp(`^  (-\\w, )?--${option}\\b`, 'm'));
      for (const o of Object.values(spec.options)) expect(o.help.length).toBeGreaterThan(5);
    },
  );
});
