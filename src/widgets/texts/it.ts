/** The widget texts in Italian, `|`-separated in `TEXT_KEYS` order (see `widgetTexts`). */
export const texts: string =
  'Articoli simili|Consigliati per te|Spesso comprati insieme|Visti di recente|Di tendenza|Perché hai visto {title}|Perché {title} è nel tuo carrello|Perché hai acquistato {title}|Non mi interessa|Ancora niente da mostrare|Caricamento dei consigli';
