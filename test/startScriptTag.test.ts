// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LikewiseDeps } from '../src/createLikewise';
import { startScriptTag } from '../src/startScriptTag';
import { createFakeDisk, failOnUnhandled, setHtml } from './support/fakeStores';
import { loadPart } from './support/parts';

failOnUnhandled();

type Win = Window & { Likewise?: unknown };
const w = window as Win;

function scriptTag(attrs: Record<string, string>) {
  const s = document.createElement('script');
  // A non-JavaScript type: happy-dom would otherwise try (and fail) to fetch the src.
  s.type = 'text/x-test';
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  document.head.append(s);
  return s;
}

afterEach(() => {
  const ns = w.Likewise as { instance?: { destroy(): void } } | undefined;
  ns?.instance?.destroy();
  delete w.Likewise;
  delete (document as { currentScript?: unknown }).currentScript;
  document.head.replaceChildren();
  document.body.replaceChildren();
});

describe('startScriptTag', () => {
  it('without data-site: exposes the namespace, keeps queued calls until start()', async () => {
    w.Likewise = [['track', { type: 'view', itemId: 'early' }]];
    const disk = createFakeDisk();
    const ns = startScriptTag(window, disk.deps);
    expect(w.Likewise).toBe(ns);
    expect(typeof ns.createLikewise).toBe('function');
    expect(ns.isLikewiseError(new ns.LikewiseError('QUOTA', 'x'))).toBe(true);
    expect(ns.instance).toBeUndefined();
    ns.push(['track', { type: 'view', itemId: 'later' }]);
    const lw = ns.start({ site: 'shop' });
    expect(ns.start({ site: 'other' })).toBe(lw);
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['early', 'later']);
  });

  it('with data-site on its own tag: starts, replays the queue in order, runs later pushes', async () => {
    const tag = scriptTag({ src: '/x.js', 'data-site': 'shop', 'data-consent': 'pending' });
    Object.defineProperty(document, 'currentScript', { value: tag, configurable: true });
    w.Likewise = [
      ['track', { type: 'view', itemId: 'a' }],
      ['track', { type: 'nope' }],
      ['track', { type: 'view', itemId: 'b' }],
    ];
    const disk = createFakeDisk();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ns = startScriptTag(window, disk.deps);
    ns.push(['track', { type: 'view', itemId: 'c' }]);
    const lw = ns.instance!;
    expect(lw.consent).toBe('pending');
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['a', 'b', 'c']);
    expect(warn).toHaveBeenCalledWith(
      '[likewise]',
      'type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got "nope".',
    );
    expect(disk.factoryCalls).toBe(0);
    warn.mockRestore();
  });

  it('falls back to script[src*="likewise"][data-site] and auto-tracks the page', async () => {
    scriptTag({ src: 'https://cdn.example/likewise.iife.js', 'data-site': 'shop' });
    setHtml(document.body, '<main data-likewise-view="sku-1"></main>');
    const disk = createFakeDisk();
    const ns = startScriptTag(window, disk.deps);
    expect((await ns.instance!.events()).map((e) => [e.type, e.itemId])).toEqual([
      ['view', 'sku-1'],
    ]);
    expect(disk.dbs.get('likewise-shop.events')?.events).toHaveLength(1);
  });

  it('fills the page\'s widgets in the task after its own start (the start stays short); data-widgets="false" leaves them', async () => {
    const container = () => document.body.querySelector('[data-likewise]')!;
    const loaded: string[] = [];
    const load: LikewiseDeps['load'] = (name) =>
      loadPart(name).then((m) => {
        loaded.push(name);
        return m;
      });
    for (const widgets of [undefined, 'false']) {
      scriptTag({
        src: 'https://cdn.example/likewise.iife.js',
        'data-site': 'shop',
        ...(widgets ? { 'data-widgets': widgets } : {}),
      });
      setHtml(document.body, '<div data-likewise="trending" data-limit="2"></div>');
      const ns = startScriptTag(window, { ...createFakeDisk().deps, load });
      expect(container().querySelector('.likewise-host')).toBeNull();
      // The widget part loads on demand: wait until it could have rendered.
      await vi.waitFor(() => expect(loaded).toContain('widgets'), { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 20));
      expect(!!container().querySelector('.likewise-host')).toBe(widgets === undefined);
      ns.instance!.destroy();
      delete w.Likewise;
      document.head.replaceChildren();
    }
  });

  it('does not throw on a bad data-site: warns and still exposes the namespace', () => {
    scriptTag({ src: 'likewise.iife.js', 'data-site': 'bad site!' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ns = startScriptTag(window, createFakeDisk().deps);
    expect(ns.instance).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      '[likewise]',
      'createLikewise: site must be 1 to 64 of A-Z a-z 0-9 _ -, got "bad site!".',
    );
    warn.mockRestore();
  });

  it('loaded twice: keeps the first namespace and instance', () => {
    scriptTag({ src: 'likewise.iife.js', 'data-site': 'shop' });
    const first = startScriptTag(window, createFakeDisk().deps);
    const second = startScriptTag(window, createFakeDisk().deps);
    expect(second).toBe(first);
    expect(w.Likewise).toBe(first);
  });
});
