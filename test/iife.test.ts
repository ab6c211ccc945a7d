// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LikewiseGlobal } from '../src/startScriptTag';
import { failOnUnhandled } from './support/fakeStores';

failOnUnhandled();

type Win = Window & { Likewise?: unknown };
const w = window as Win;

afterEach(() => {
  (w.Likewise as LikewiseGlobal | undefined)?.instance?.destroy();
  delete w.Likewise;
  document.head.replaceChildren();
  document.body.replaceChildren();
});

describe('src/iife.ts (the script-tag entry)', () => {
  it('exposes window.Likewise, starts from data-site and replays the stub queue', async () => {
    const tag = document.createElement('script');
    // A non-JavaScript type: happy-dom would otherwise try (and fail) to fetch the src.
    tag.type = 'text/x-test';
    tag.src = '/dist/likewise.iife.js';
    tag.setAttribute('data-site', 'iife-shop');
    document.head.append(tag);
    w.Likewise = w.Likewise || [];
    (w.Likewise as unknown[]).push(['track', { type: 'view', itemId: 'sku-1' }]);
    const before = new Set(Object.keys(window));

    vi.resetModules();
    const mod = await import('../src/iife');

    const ns = w.Likewise as LikewiseGlobal;
    expect(mod.default).toBe(ns);
    // No global but window.Likewise (already there as the stub array).
    expect(Object.keys(window).filter((k) => !before.has(k))).toEqual([]);
    ns.push(['track', { type: 'add_to_cart', itemId: 'sku-1' }]);
    const events = await ns.instance!.events();
    expect(events.map((e) => [e.type, e.itemId])).toEqual([
      ['view', 'sku-1'],
      ['add_to_cart', 'sku-1'],
    ]);
  });

  it('without data-site it only exposes the namespace', async () => {
    const before = new Set(Object.keys(window));
    vi.resetModules();
    await import('../src/iife');
    const ns = w.Likewise as LikewiseGlobal;
    expect(Object.keys(window).filter((k) => !before.has(k))).toEqual(['Likewise']);
    expect(ns.instance).toBeUndefined();
    expect(typeof ns.createLikewise).toBe('function');
    expect(typeof ns.push).toBe('function');
  });
});
