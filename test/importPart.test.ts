// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { importPart } from '../src/importPart';
import { noPreload, type Preload } from '../src/shared/noPreload';

describe('importPart', () => {
  it('imports the part through the preload it is given (Vite binds its wrappers to it)', async () => {
    let calls = 0;
    const preload: Preload = (load) => {
      calls++;
      return load();
    };
    expect(await importPart('erase', preload)).toHaveProperty('deleteSiteData');
    expect(calls).toBe(1);
    expect(await importPart('widgets', noPreload)).toHaveProperty('startWidgets');
    expect(await importPart('learn', noPreload)).toHaveProperty('trainLocally');
  });
});
