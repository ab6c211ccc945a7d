import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

const root = resolve(__dirname, '../..');
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/**
 * `npm ci` refuses a lock file that leaves out any optional dependency of a
 * locked package, even one for another platform. The registry this project
 * installs from lacks some platform binaries of the newest rollup and biome,
 * and `npm install` then silently writes such a lock file; CI failed on it.
 */
function missingOptional(packages: Record<string, LockEntry>): string[] {
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
      if (!(nested in packages) && !(`node_modules/${name}` in packages)) {
        missing.push(`${path || '(root)'} -> ${name}`);
      }
    }
  }
  return missing;
}

describe('package-lock.json', () => {
  it('locks every optional platform binary, so `npm ci` accepts it', () => {
    expect(missingOptional(lock.packages)).toEqual([]);
  });

  it('the check notices a left-out platform binary', () => {
    const broken = {
      '': {},
      'node_modules/rollup': { optionalDependencies: { '@rollup/rollup-darwin-arm64': '1.0.0' } },
    };
    expect(missingOptional(broken)).toEqual(['node_modules/rollup -> @rollup/rollup-darwin-arm64']);
  });
});
