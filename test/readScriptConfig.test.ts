// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { checkOptions } from '../src/checkOptions';
import type { LikewiseOptions } from '../src/createLikewise';
import { readScriptConfig } from '../src/readScriptConfig';

const tag = (attrs: Record<string, string>) => {
  const s = document.createElement('script');
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
  return s;
};

describe('readScriptConfig', () => {
  it('returns null without a tag or a data-site', () => {
    expect(readScriptConfig(null)).toBeNull();
    expect(readScriptConfig(tag({ src: 'likewise.iife.js' }))).toBeNull();
  });

  it('reads the site with auto-tracking on by default', () => {
    expect(readScriptConfig(tag({ 'data-site': 'shop' }))).toEqual({
      site: 'shop',
      autoTrack: true,
    });
  });

  it('reads consent, numbers and the auto-track switch', () => {
    expect(
      readScriptConfig(
        tag({
          'data-site': 'shop',
          'data-consent': 'pending',
          'data-session-timeout': '600000',
          'data-max-events': '500',
          'data-auto-track': 'off',
        }),
      ),
    ).toEqual({
      site: 'shop',
      consent: 'pending',
      sessionTimeout: 600000,
      maxEvents: 500,
      autoTrack: false,
    });
    expect(readScriptConfig(tag({ 'data-site': 's', 'data-auto-track': 'false' }))?.autoTrack).toBe(
      false,
    );
  });

  it('passes bad values through as written, for createLikewise to refuse', () => {
    const o = readScriptConfig(
      tag({ 'data-site': 's', 'data-session-timeout': 'soon', 'data-consent': 'yes' }),
    );
    expect(o?.sessionTimeout).toBe('soon');
    expect(o?.consent).toBe('yes');
    expect(() => checkOptions(o as LikewiseOptions)).toThrow(
      'createLikewise: consent must be "granted", "pending" or "denied", got "yes".',
    );
    expect(() => checkOptions({ ...o, consent: undefined } as LikewiseOptions)).toThrow(
      'createLikewise: sessionTimeout must be a positive number, got "soon".',
    );
  });

  it('reads every option of the table that an attribute can spell, by its rule', () => {
    expect(
      readScriptConfig(
        tag({
          src: 'https://cdn.example/lw/likewise.iife.js',
          'data-site': 'shop',
          'data-catalog': '/catalog.json',
          'data-model': '/model/manifest.json',
          'data-endpoint': '/collect',
          'data-profile-endpoint': '/profile',
          'data-locale': 'de-DE',
          'data-window-days': '14',
          'data-include-purchased': 'true',
          'data-dedupe': 'off',
          'data-holdout': '0.1',
          // The Worker option of earlier versions: no option now, ignored.
          'data-worker': 'likewise.worker.js',
        }),
      ),
    ).toEqual({
      site: 'shop',
      autoTrack: true,
      catalog: '/catalog.json',
      model: '/model/manifest.json',
      endpoint: '/collect',
      profileEndpoint: '/profile',
      locale: 'de-DE',
      windowDays: 14,
      includePurchased: true,
      dedupe: false,
      experiment: { holdout: 0.1 },
    });
  });

  it('reads no function or object from attributes: data-widgets is the tag switch, onError comes from code', () => {
    const o = readScriptConfig(
      tag({
        'data-site': 's',
        'data-widgets': 'false',
        'data-on-error': 'alert',
      }),
    );
    expect(o?.widgets).toBeUndefined();
    expect(o?.onError).toBeUndefined();
    expect(() => checkOptions(o as LikewiseOptions)).not.toThrow();
  });
});
