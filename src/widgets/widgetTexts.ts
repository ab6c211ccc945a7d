import type { Scenario } from '../types';
import { languageOf, pageTexts } from './pageTexts';
import type { PrivacyTranslations } from './privacyPanel';

/**
 * Texts of the widget, in the order of {@link TEXT_KEYS}. Scenario keys are
 * the headings (overridden by `options.title`). `{title}` in a reason is
 * replaced by the item's title.
 */
export interface RenderTranslations extends Partial<Record<Scenario, string>> {
  /** Reason under an item because of a viewed one. Default `Because you viewed {title}`. */
  reason?: string;
  /** Reason because of an item in the basket. Default `Because {title} is in your basket`. */
  reasonCart?: string;
  /** Reason because of a bought item. Default `Because you bought {title}`. */
  reasonBought?: string;
  /** Text and accessible name of the dismiss button (`<dismiss>: <item title>`). Default `Not interested`. */
  dismiss?: string;
  /** Shown when nothing is recommended and `collapseEmpty` is false. Default `Nothing to show yet`. */
  empty?: string;
  /** Accessible name of the list while it loads. Default `Loading recommendations`. */
  loading?: string;
  /** The privacy panel's texts (as `widgets.translations.privacy`); see `PrivacyTranslations`. */
  privacy?: PrivacyTranslations;
}

/** Every widget text key; the first five are the scenarios, in order. */
export const TEXT_KEYS = [
  'similar',
  'for-you',
  'bought-together',
  'recently-viewed',
  'trending',
  'reason',
  'reasonCart',
  'reasonBought',
  'dismiss',
  'empty',
  'loading',
] as const;

/**
 * Loads the built-in texts of a language other than English (`|`-separated
 * in {@link TEXT_KEYS} order): one small file each, `likewise.texts.<lang>.mjs`
 * beside the script tag's files, a chunk of its own in the npm build.
 */
export type LoadTexts = (language: string) => Promise<string>;

// Built-in texts by language, `|`-separated in TEXT_KEYS order: English is
// here, each other language is loaded by the pages in it (an English page
// carries none of them), then kept.
const TABLE: Record<string, string | Promise<void>> = {
  en: 'Similar items|Recommended for you|Frequently bought together|Recently viewed|Trending now|Because you viewed {title}|Because {title} is in your basket|Because you bought {title}|Not interested|Nothing to show yet|Loading recommendations',
};

/**
 * Starts loading the built-in texts of `locale`'s language through `load`
 * (once per language; a failed load is tried again next time): a promise
 * that settles once they are here or have failed, or `undefined` when
 * there is nothing to wait for (English, loaded already, or no `load`).
 */
export function loadingTexts(
  locale: string | undefined,
  load?: LoadTexts,
): Promise<void> | undefined {
  const language = languageOf(locale);
  const texts = TABLE[language];
  if (typeof texts === 'string' || !load) return;
  TABLE[language] =
    texts ??
    load(language).then(
      (t) => {
        TABLE[language] = t;
      },
      (e) => {
        delete TABLE[language];
        throw e;
      },
    );
  return TABLE[language] as Promise<void>;
}

/**
 * Every widget text for `locale` (German, English, French, Italian, Spanish
 * and Dutch are built in; others, and a language whose texts have not
 * loaded, see {@link loadingTexts}, get English), then the page's
 * `data-likewise-texts` block, then `own` (code) on top. Only string values
 * override.
 *
 * @example
 * await loadingTexts('de-DE', loadTexts);
 * widgetTexts('de-DE', document).similar // 'Ähnliche Artikel'
 */
export function widgetTexts(
  locale: string | undefined,
  doc?: Document,
  own?: RenderTranslations,
  onError?: (e: unknown) => void,
): Required<Omit<RenderTranslations, 'privacy'>> {
  const texts = TABLE[languageOf(locale)];
  const words = (typeof texts === 'string' ? texts : (TABLE.en as string)).split('|');
  const out = {} as Record<string, string>;
  TEXT_KEYS.forEach((k, i) => {
    out[k] = words[i];
  });
  for (const o of [doc && pageTexts(doc, onError), own] as Record<string, unknown>[])
    for (const k of TEXT_KEYS) if (typeof o?.[k] === 'string') out[k] = o[k] as string;
  return out as Required<Omit<RenderTranslations, 'privacy'>>;
}
