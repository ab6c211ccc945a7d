// The npm build keeps `/* @__PURE__ */` marks for the shop's bundler
// (rollup.config.mjs), and terser adds its own before `new Map`, `new Set`...
// A mark right before a chained call (`/* @__PURE__ */new Set(x).forEach(f)`)
// is ambiguous: a bundler may take it as the mark of the whole call and drop
// the call when its value is unused (Vite did, losing the events a page hide
// was flushing). No built module may have one.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = resolve(__dirname, '../../dist');
const modules = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? modules(join(dir, e.name))
      : e.name.endsWith('.mjs')
        ? [join(dir, e.name)]
        : [],
  );

/** Each pure-marked call or `new` whose closing parenthesis is followed by `.` or `[`. */
function chainedPureMarks(code: string): string[] {
  const found: string[] = [];
  const MARK = '/* @__PURE__ */';
  for (let i = code.indexOf(MARK); i >= 0; i = code.indexOf(MARK, i + 1)) {
    const open = code.indexOf('(', i + MARK.length);
    // `new Map` without arguments, or a mark on something else: nothing to chain.
    if (open < 0 || /[;,{}()=]/.test(code.slice(i + MARK.length, open))) continue;
    let depth = 0;
    let close = open;
    for (; close < code.length; close++) {
      if (code[close] === '(') depth++;
      else if (code[close] === ')' && --depth === 0) break;
    }
    if (code[close + 1] === '.' || code[close + 1] === '[') found.push(code.slice(i, close + 20));
  }
  return found;
}

describe('the npm build for bundlers', () => {
  it('finds a pure mark before a chained call (the check can fail)', () => {
    expect(chainedPureMarks('a(/* @__PURE__ */new Set([...q.splice(0)]).forEach(f))')).toHaveLength(
      1,
    );
    expect(chainedPureMarks('for(const e of /* @__PURE__ */new Set(x))f(e)')).toEqual([]);
  });

  it('has no pure mark right before a chained call, in any module', () => {
    const bad = [join(dist, 'likewise.mjs'), ...modules(join(dist, 'esm'))].flatMap((f) =>
      chainedPureMarks(readFileSync(f, 'utf8')).map((m) => `${f}: ${m}`),
    );
    expect(bad).toEqual([]);
  });
});
