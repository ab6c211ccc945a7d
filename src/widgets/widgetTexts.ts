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

// One string per language, `|`-separated in TEXT_KEYS order: the whole table
// costs a few hundred bytes gzipped in the script-tag core, less than the code
// a per-language download would need.
const TABLE: Record<string, string> = {
  en: 'Similar items|Recommended for you|Frequently bought together|Recently viewed|Trending now|Because you viewed {title}|Because {title} is in your basket|Because you bought {title}|Not interested|Nothing to show yet|Loading recommendations',
  de: 'Ähnliche Artikel|Für Sie empfohlen|Wird oft zusammen gekauft|Zuletzt angesehen|Gerade beliebt|Weil Sie {title} angesehen haben|Weil {title} in Ihrem Warenkorb liegt|Weil Sie {title} gekauft haben|Kein Interesse|Noch nichts zu zeigen|Empfehlungen werden geladen',
  fr: 'Articles similaires|Recommandé pour vous|Souvent achetés ensemble|Vus récemment|Tendances du moment|Parce que vous avez consulté {title}|Parce que {title} est dans votre panier|Parce que vous avez acheté {title}|Pas intéressé|Rien à afficher pour le moment|Chargement des recommandations',
  it: 'Articoli simili|Consigliati per te|Spesso comprati insieme|Visti di recente|Di tendenza|Perché hai visto {title}|Perché {title} è nel tuo carrello|Perché hai acquistato {title}|Non mi interessa|Ancora niente da mostrare|Caricamento dei consigli',
  es: 'Artículos similares|Recomendado para ti|Se compran juntos a menudo|Vistos recientemente|Tendencias|Porque viste {title}|Porque {title} está en tu cesta|Porque compraste {title}|No me interesa|Todavía no hay nada que mostrar|Cargando recomendaciones',
  nl: 'Vergelijkbare artikelen|Aanbevolen voor jou|Vaak samen gekocht|Recent bekeken|Nu populair|Omdat je {title} hebt bekeken|Omdat {title} in je winkelwagen zit|Omdat je {title} hebt gekocht|Niet interessant|Nog niets te tonen|Aanbevelingen laden',
};

/**
 * Every widget text for `locale` (German, English, French, Italian, Spanish
 * and Dutch are built in; others get English), then the page's
 * `data-likewise-texts` block, then `own` (code) on top. Only string values
 * override.
 *
 * @example widgetTexts('de-DE', document).similar // 'Ähnliche Artikel'
 */
export function widgetTexts(
  locale: string | undefined,
  doc?: Document,
  own?: RenderTranslations,
  onError?: (e: unknown) => void,
): Required<Omit<RenderTranslations, 'privacy'>> {
  const words = TABLE[languageOf(locale)].split('|');
  const out = {} as Record<string, string>;
  TEXT_KEYS.forEach((k, i) => {
    out[k] = words[i];
  });
  for (const o of [doc && pageTexts(doc, onError), own] as Record<string, unknown>[])
    for (const k of TEXT_KEYS) if (typeof o?.[k] === 'string') out[k] = o[k] as string;
  return out as Required<Omit<RenderTranslations, 'privacy'>>;
}
