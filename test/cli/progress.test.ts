// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress';

function stderr(isTTY: boolean) {
  const out: string[] = [];
  const io = {
    cwd: '.',
    stdout: { write: () => true },
    stderr: { write: (s: string) => out.push(s), isTTY },
  };
  return { io, text: () => out.join('') };
}

describe('createProgress', () => {
  it('draws a bar in place on a terminal, keeps it whole around notes, and clears it when done', () => {
    const { io, text } = stderr(true);
    const p = createProgress(io, 'train');
    p.show('reading events', 0.1);
    p.show('reading events', 0.1);
    p.note('likewise train: 1 line skipped:\n');
    p.show('writing', 1);
    p.done();
    const bar1 = '[###...........................]  10% reading events';
    const bar2 = '[##############################] 100% writing';
    expect(text()).toBe(
      `\r${bar1}` +
        `\r${' '.repeat(bar1.length)}\rlikewise train: 1 line skipped:\n\r${bar1}` +
        `\r${bar2.padEnd(bar1.length)}` +
        `\r${' '.repeat(bar2.length)}\r`,
    );
  });

  it('off a terminal prints one plain line per stage for long work, and nothing for short work', () => {
    let t = 0;
    const long = stderr(false);
    const p = createProgress(long.io, 'train', { long: true, now: () => t });
    p.show('reading events', 0);
    t = 2500;
    p.show('reading events', 0.2);
    p.show('writing', 0.9);
    p.done();
    expect(long.text()).toBe(
      'likewise train: reading events\nlikewise train: writing (at 2.50 s)\n',
    );
    const short = stderr(false);
    const q = createProgress(short.io, 'train');
    q.show('reading events', 0.5);
    q.note('a note\n');
    expect(short.text()).toBe('a note\n');
  });
});
