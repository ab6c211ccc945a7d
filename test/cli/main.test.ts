// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { COMMANDS, main } from '../../src/cli/main';
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

describe('likewise (dispatcher)', () => {
  it('lists every command in --help', async () => {
    const cli = io();
    expect(await main(['--help'], cli)).toBe(0);
    for (const name of ['train', 'catalog', 'eval', 'report', 'collect', 'recommend']) {
      expect(cli.out()).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(Object.keys(COMMANDS)).toEqual([
      'train',
      'catalog',
      'eval',
      'report',
      'collect',
      'recommend',
    ]);
  });

  it('prints the package version', async () => {
    const cli = io();
    expect(await main(['--version'], cli)).toBe(0);
    expect(cli.out()).toMatch(/^\d+\.\d+\.\d+/);
    const given = io();
    await main(['--version'], given, '9.9.9');
    expect(given.out()).toBe('9.9.9\n');
  });

  it('refuses a missing or unknown command with exit code 2', async () => {
    const none = io();
    expect(await main([], none)).toBe(2);
    expect(none.err()).toContain('likewise: a command is required.');
    const unknown = io();
    expect(await main(['trian', '--events', 'x'], unknown)).toBe(2);
    expect(unknown.err()).toBe(
      "likewise: unknown command 'trian'. Commands: train, catalog, eval, report, collect, recommend.\nRun `likewise --help` for usage.\n",
    );
  });

  it('passes the rest of the arguments to the command and returns its exit code', async () => {
    const help = io();
    expect(await main(['train', '--help'], help)).toBe(0);
    expect(help.out()).toContain('usage: likewise train');
    const named = io();
    expect(await main(['help', 'train'], named)).toBe(0);
    expect(named.out()).toBe(help.out());
    const bad = io();
    expect(await main(['train'], bad)).toBe(2);
    expect(bad.err()).toContain('likewise train: --events FILE is required');
  });
});
