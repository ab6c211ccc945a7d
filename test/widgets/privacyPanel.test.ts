// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import type { PrivacySummary } from '../../src/metrics/describeVisitor';
import {
  bindPrivacyLinks,
  openPrivacyPanel,
  type PrivacyPanelDeps,
} from '../../src/widgets/privacyPanel';
import { flush } from '../support/widgetFakes';

const XSS = '<img src=x onerror="window.__pwned=1">';

function summary(over: Partial<PrivacySummary> = {}): PrivacySummary {
  return {
    events: 12,
    sessions: 3,
    oldest: Date.UTC(2026, 0, 2),
    topCategories: ['Mystery', 'Cookery'],
    items: [
      { title: XSS, type: 'view', ts: Date.UTC(2026, 0, 3) },
      { title: 'The Quiet Orchard', type: 'purchase', ts: Date.UTC(2026, 0, 2) },
    ],
    storage: 'indexeddb',
    consent: 'granted',
    ...over,
  };
}

function fakeDeps(over: Partial<PrivacyPanelDeps> = {}) {
  return {
    describe: vi.fn(async () => summary()),
    clear: vi.fn(async () => {}),
    optOut: vi.fn(async () => {}),
    onError: vi.fn(),
    ...over,
  };
}

function link() {
  const a = document.createElement('a');
  a.href = '/privacy.html#choices';
  a.setAttribute('data-likewise-privacy', '');
  a.textContent = 'Privacy choices';
  document.body.append(a);
  return a;
}

/** The open panel's shadow root, or null. */
const panel = () => document.querySelector('.likewise-privacy-host')?.shadowRoot ?? null;
const dialog = () => panel()?.querySelector<HTMLElement>('.likewise-privacy') ?? null;
const status = () => panel()?.querySelector('[role="status"]')?.textContent;
const buttonNamed = (name: string) =>
  [...(panel()?.querySelectorAll('button') ?? [])].find((b) => b.textContent === name);
const press = (key: string, shiftKey = false) =>
  panel()?.activeElement?.dispatchEvent(
    new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }),
  );

let close: (() => void) | undefined;
let unbind: (() => void) | undefined;
beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  close?.();
  unbind?.();
  close = unbind = undefined;
});

describe('bindPrivacyLinks', () => {
  it('opens a modal dialog from a data-likewise-privacy link instead of following it', async () => {
    const a = link();
    const deps = fakeDeps();
    unbind = bindPrivacyLinks(document, deps);
    const followed = a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    expect(followed).toBe(false);
    const d = dialog() as HTMLDialogElement;
    expect(d.tagName).toBe('DIALOG');
    expect(d.open).toBe(true);
    expect(panel()?.getElementById('likewise-privacy-title')?.textContent).toBe(
      'Your data on this device',
    );
    // Focus on the harmless button: Enter right away must not erase anything.
    expect(panel()?.activeElement?.textContent).toBe('Close');
    await flush();
    expect(deps.describe).toHaveBeenCalledTimes(1);
  });

  it('lets a modified click follow the link, and stops after cleanup', () => {
    const a = link();
    unbind = bindPrivacyLinks(document, fakeDeps());
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, ctrlKey: true }));
    expect(panel()).toBeNull();
    unbind();
    const followed = a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    expect(followed).toBe(true);
    expect(panel()).toBeNull();
  });

  it('refuses deps without the three functions, with an exact message', () => {
    const bad = { describe: async () => summary(), clear: async () => {} } as PrivacyPanelDeps;
    expect(() => bindPrivacyLinks(document, bad)).toThrow(
      'bindPrivacyLinks: deps.optOut must be a function',
    );
    try {
      openPrivacyPanel(bad);
    } catch (e) {
      expect(isLikewiseError(e, 'INVALID_OPTION')).toBe(true);
    }
    expect.assertions(2);
  });
});

describe('openPrivacyPanel', () => {
  it('shows what is stored, every title as text', async () => {
    close = openPrivacyPanel(fakeDeps());
    expect(status()).toBe('Loading…');
    await flush();
    const facts = [...(panel()?.querySelectorAll('ul li') ?? [])].map((li) => li.textContent);
    expect(facts[0]).toBe('Stored events: 12 (visits: 3)');
    expect(facts).toContain('Interests: Mystery, Cookery');
    expect(facts).toContain("Kept in this browser's storage until you clear it.");
    expect(facts).toContain('Personalisation is on.');
    const items = [...(panel()?.querySelectorAll('ol li') ?? [])];
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain(`Viewed: ${XSS}`);
    expect(items[1].textContent).toContain('Bought: The Quiet Orchard');
    expect(items[0].querySelector('time')?.getAttribute('datetime')).toBe(
      '2026-01-03T00:00:00.000Z',
    );
    expect(panel()?.querySelector('img')).toBeNull();
    expect(status()).toBe('');
  });

  it("speaks German on a German page (from locale), with the shop's own texts on top", async () => {
    close = openPrivacyPanel(fakeDeps({ locale: 'de-DE', translations: { close: 'Fertig' } }));
    await flush();
    expect(panel()?.querySelector('h2')?.textContent).toBe('Ihre Daten auf diesem Gerät');
    const facts = [...(panel()?.querySelectorAll('ul li') ?? [])].map((li) => li.textContent);
    expect(facts[0]).toBe('Gespeicherte Ereignisse: 12 (Besuche: 3)');
    expect(facts).toContain('Personalisierung ist an.');
    expect(panel()?.querySelector('ol li')?.textContent).toContain(`Angesehen: ${XSS}`);
    expect(buttonNamed('Meinen Verlauf löschen')).toBeDefined();
    expect(buttonNamed('Personalisierung beenden')).toBeDefined();
    expect(buttonNamed('Fertig')).toBeDefined();
  });

  it('says when nothing is stored, and shows at most 20 items', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, type: 'view', ts: i }));
    close = openPrivacyPanel(
      fakeDeps({
        describe: async () =>
          summary({ events: 0, oldest: undefined, topCategories: [], items: many }),
      }),
    );
    await flush();
    expect(panel()?.querySelector('ul li')?.textContent).toBe(
      'Nothing is stored about you on this device.',
    );
    expect(panel()?.querySelectorAll('ol li')).toHaveLength(20);
  });

  it('shows an event time outside the Date range as no date, and everything else', async () => {
    const deps = fakeDeps({
      describe: async () =>
        summary({
          oldest: -9e15,
          items: [
            { title: 'Far future', type: 'view', ts: 9e15 },
            { title: 'The Quiet Orchard', type: 'purchase', ts: Date.UTC(2026, 0, 2) },
          ],
        }),
    });
    close = openPrivacyPanel(deps);
    await flush();
    expect(status()).toBe('');
    expect(deps.onError).not.toHaveBeenCalled();
    const facts = [...(panel()?.querySelectorAll('ul li') ?? [])].map((li) => li.textContent);
    expect(facts).toEqual([
      'Stored events: 12 (visits: 3)',
      'Interests: Mystery, Cookery',
      "Kept in this browser's storage until you clear it.",
      'Personalisation is on.',
    ]);
    const items = [...(panel()?.querySelectorAll('ol li') ?? [])];
    expect(items.map((li) => li.textContent?.split(' · ')[0])).toEqual([
      'Viewed: Far future',
      'Bought: The Quiet Orchard',
    ]);
    expect(items[0].querySelector('time')).toBeNull();
    expect(items[1].querySelector('time')?.getAttribute('datetime')).toBe(
      '2026-01-02T00:00:00.000Z',
    );
  });

  it('clears the history and confirms it in words', async () => {
    const describe = vi.fn(async () => summary());
    const deps = fakeDeps({ describe });
    close = openPrivacyPanel(deps);
    await flush();
    describe.mockResolvedValue(summary({ events: 0, items: [], topCategories: [] }));
    buttonNamed('Clear my history')?.click();
    await flush();
    expect(deps.clear).toHaveBeenCalledTimes(1);
    expect(deps.optOut).not.toHaveBeenCalled();
    expect(status()).toBe('Your history on this device was erased.');
    expect(panel()?.querySelectorAll('ol li')).toHaveLength(0);
  });

  it('stops personalisation and confirms it in words', async () => {
    const describe = vi.fn(async () => summary());
    const deps = fakeDeps({ describe });
    close = openPrivacyPanel(deps);
    await flush();
    describe.mockResolvedValue(summary({ events: 0, items: [], consent: 'denied' }));
    buttonNamed('Stop personalisation')?.click();
    await flush();
    expect(deps.optOut).toHaveBeenCalledTimes(1);
    expect(status()).toBe('Personalisation is off and your history on this device was erased.');
    expect([...(panel()?.querySelectorAll('ul li') ?? [])].map((li) => li.textContent)).toContain(
      'Personalisation is off.',
    );
  });

  it('says so and reports when an action fails', async () => {
    const deps = fakeDeps({ clear: vi.fn(async () => Promise.reject(new Error('locked'))) });
    close = openPrivacyPanel(deps);
    await flush();
    buttonNamed('Clear my history')?.click();
    await flush();
    expect(status()).toBe('Something went wrong. Please try again.');
    expect(deps.onError).toHaveBeenCalledWith(new Error('locked'));
    expect(buttonNamed('Clear my history')?.disabled).toBe(false);
  });

  it('closes on Escape and gives focus back to the link', async () => {
    const a = link();
    unbind = bindPrivacyLinks(document, fakeDeps());
    a.focus();
    a.click();
    await flush();
    expect(dialog()).not.toBeNull();
    press('Escape');
    expect(panel()).toBeNull();
    expect(document.activeElement).toBe(a);
  });

  it('closes with the Close button and opens one panel at a time', () => {
    const deps = fakeDeps();
    close = openPrivacyPanel(deps);
    expect(openPrivacyPanel(deps)).toBe(close);
    expect(document.querySelectorAll('.likewise-privacy-host')).toHaveLength(1);
    buttonNamed('Close')?.click();
    expect(panel()).toBeNull();
    // A page that threw the open panel away (re-rendered <body>) can open a new one.
    openPrivacyPanel(deps);
    document.body.replaceChildren();
    close = openPrivacyPanel(deps);
    expect(dialog()).not.toBeNull();
  });

  it('uses the translations given', async () => {
    close = openPrivacyPanel(
      fakeDeps({
        translations: {
          title: 'Vos données',
          clear: 'Effacer',
          view: 'Vu',
          summary: '{events} év.',
        },
      }),
    );
    await flush();
    expect(panel()?.getElementById('likewise-privacy-title')?.textContent).toBe('Vos données');
    expect(buttonNamed('Effacer')).toBeDefined();
    expect(panel()?.querySelector('ul li')?.textContent).toBe('12 év.');
    expect(panel()?.querySelector('ol li')?.textContent).toContain(`Vu: ${XSS}`);
  });

  describe('without <dialog>.showModal', () => {
    let showModal: unknown;
    beforeEach(() => {
      showModal = HTMLDialogElement.prototype.showModal;
      (HTMLDialogElement.prototype as { showModal?: unknown }).showModal = undefined;
    });
    afterEach(() => {
      (HTMLDialogElement.prototype as { showModal?: unknown }).showModal = showModal;
    });

    it('is a role=dialog element that keeps Tab inside and closes on Escape', () => {
      const a = link();
      a.focus();
      close = openPrivacyPanel(fakeDeps());
      const d = dialog();
      expect(d?.tagName).toBe('DIV');
      expect(d?.getAttribute('role')).toBe('dialog');
      expect(d?.getAttribute('aria-modal')).toBe('true');
      expect(d?.getAttribute('aria-labelledby')).toBe('likewise-privacy-title');
      expect(panel()?.activeElement?.textContent).toBe('Close');
      press('Tab');
      expect(panel()?.activeElement?.textContent).toBe('Clear my history');
      press('Tab', true);
      expect(panel()?.activeElement?.textContent).toBe('Close');
      press('Escape');
      expect(panel()).toBeNull();
      expect(document.activeElement).toBe(a);
    });
  });
});
