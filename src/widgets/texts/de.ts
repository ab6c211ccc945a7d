/** The widget texts in German, `|`-separated in `TEXT_KEYS` order (see `widgetTexts`). */
export const texts: string =
  'Ähnliche Artikel|Für Sie empfohlen|Wird oft zusammen gekauft|Zuletzt angesehen|Gerade beliebt|Weil Sie {title} angesehen haben|Weil {title} in Ihrem Warenkorb liegt|Weil Sie {title} gekauft haben|Kein Interesse|Noch nichts zu zeigen|Empfehlungen werden geladen';
