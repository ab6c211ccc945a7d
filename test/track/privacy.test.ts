// @vitest-environment happy-dom
// RELIABILITY 13 (localStorage throwing does not matter: the tracking core
// reads it only for the consent denial record, the real event store for its
// unload backup, and test/store/createEventStore.test.ts shows it works
// without) and 24 (no
// fingerprinting surface), across everything the tracking core runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLikewise } from '../../src/createLikewise';
import { startScriptTag } from '../../src/startScriptTag';
import { autoTrack } from '../../src/track/autoTrack';
import { createFakeDisk, failOnUnhandled, setHtml } from '../support/fakeStores';

failOnUnhandled();

const restores: (() => void)[] = [];
/** Replaces `obj[key]` with a getter that counts reads (and optionally throws), restored after the test. */
function watch(obj: object, key: string, reads: string[], error?: () => Error) {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  Object.defineProperty(obj, key, {
    configurable: true,
    get() {
      reads.push(key);
      if (error) throw error();
      return undefined;
    },
    set() {
      reads.push(key + '=');
    },
  });
  restores.push(() => {
    if (own) Object.defineProperty(obj, key, own);
    else delete (obj as Record<string, unknown>)[key];
  });
}

afterEach(() => {
  for (const r of restores.splice(0).reverse()) r();
  delete (window as { Likewise?: unknown }).Likewise;
  document.head.replaceChildren();
  document.body.replaceChildren();
});

/** Everything the tracking core does on a page: script tag, auto-tracking, the API. */
async function exercise() {
  setHtml(
    document.head,
    '<script type="application/ld+json">{"@type":"Product","sku":"p1","name":"P","offers":{"price":3}}</script>',
  );
  setHtml(
    document.body,
    '<div data-likewise-item="p2"><a id="l" href="#p2">p2</a></div><button id="c" data-likewise-cart="p1">+</button>',
  );
  const tag = document.createElement('script');
  tag.type = 'text/x-test';
  tag.setAttribute('src', 'likewise.js');
  tag.setAttribute('data-site', 'shop');
  tag.setAttribute('data-consent', 'pending');
  document.head.append(tag);
  (window as { Likewise?: unknown }).Likewise = [['track', { type: 'search', query: 'lamp' }]];
  const disk = createFakeDisk();
  const ns = startScriptTag(window, disk.deps);
  const lw = ns.instance!;
  document.getElementById('l')!.click();
  document.getElementById('c')!.click();
  await lw.setConsent('granted');
  const other = createLikewise({ site: 'other' }, disk.deps);
  const stop = autoTrack(other);
  await other.track({ type: 'purchase', items: [{ itemId: 'p1', price: 3 }] });
  await other.events();
  const events = await lw.events();
  await lw.forget();
  stop();
  lw.destroy();
  other.destroy();
  return events;
}

describe('privacy', () => {
  let reads: string[];
  beforeEach(() => {
    reads = [];
  });

  it('works when localStorage, sessionStorage and cookies throw SecurityError, and touches only localStorage', async () => {
    const denied = () => new DOMException('The operation is insecure.', 'SecurityError');
    watch(window, 'localStorage', reads, denied);
    watch(window, 'sessionStorage', reads, denied);
    watch(document, 'cookie', reads, denied);
    const events = await exercise();
    expect(events.map((e) => [e.type, e.itemId ?? e.query])).toEqual([
      ['view', 'p1'],
      ['search', 'lamp'],
      ['click', 'p2'],
      ['add_to_cart', 'p1'],
    ]);
    // localStorage only: the consent denial record (looked for at each start, cleared by the grant).
    expect([...new Set(reads)]).toEqual(['localStorage']);
  });

  it('reads no fingerprinting surface', async () => {
    for (const key of ['plugins', 'hardwareConcurrency', 'deviceMemory', 'mimeTypes', 'languages'])
      watch(navigator, key, reads);
    for (const key of [
      'width',
      'height',
      'availWidth',
      'availHeight',
      'colorDepth',
      'pixelDepth',
      'orientation',
    ])
      watch(screen, key, reads);
    watch(window, 'screen', reads);
    watch(window, 'devicePixelRatio', reads);
    for (const key of ['getContext', 'toDataURL', 'toBlob'])
      watch(HTMLCanvasElement.prototype, key, reads);
    for (const key of ['AudioContext', 'OfflineAudioContext', 'webkitAudioContext'])
      watch(window, key, reads);
    const events = await exercise();
    expect(events).toHaveLength(4);
    expect(reads).toEqual([]);
  });
});
