// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
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

  it('passes bad values through for createLikewise to refuse', () => {
    expect(
      readScriptConfig(tag({ 'data-site': 's', 'data-session-timeout': 'soon' }))?.sessionTimeout,
    ).toBeNaN();
  });
});
