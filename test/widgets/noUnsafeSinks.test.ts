import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// RELIABILITY 21 on the sources (the build test checks the bundles): these
// sinks break under Trusted Types or a strict CSP, or execute strings as code.
const FORBIDDEN: Array<[string, RegExp]> = [
  ['innerHTML', /\binnerHTML\b/],
  ['outerHTML', /\bouterHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['document.write', /\bdocument\s*\.\s*write(ln)?\s*\(/],
  ['eval(', /(^|[^.\w])eval\s*\(/],
  ['new Function', /\bnew\s+Function\b/],
  ["setAttribute('style'", /setAttribute\s*\(\s*['"`]style['"`]/],
  ["createElement('style')", /createElement\s*\(\s*['"`]style['"`]/],
  ['style.cssText', /\.cssText\s*=/],
  ['string setTimeout', /setTimeout\s*\(\s*['"`]/],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.[cm]?[jt]s$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

/** Drops comments, so a comment that names a sink to forbid it is not a hit. */
function code(text: string) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

describe('no unsafe DOM or code sinks in src/', () => {
  const files = sources('src');

  it('finds the widget sources', () => {
    expect(files).toContain(join('src', 'widgets', 'render.ts'));
  });

  it.each(FORBIDDEN)('no %s', (_name, pattern) => {
    const hits = files.filter((f) => pattern.test(code(readFileSync(f, 'utf8'))));
    expect(hits).toEqual([]);
  });

  it('the check itself catches a sink', () => {
    const sample = "el.innerHTML = x; el.setAttribute('style', y); // innerHTML in a comment";
    expect(FORBIDDEN.filter(([, p]) => p.test(code(sample))).map(([n]) => n)).toEqual([
      'innerHTML',
      "setAttribute('style'",
    ]);
    expect(FORBIDDEN.some(([, p]) => p.test(code('// el.innerHTML = x')))).toBe(false);
  });
});
