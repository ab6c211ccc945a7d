/** The widget texts in Dutch, `|`-separated in `TEXT_KEYS` order (see `widgetTexts`). */
export const texts: string =
  'Vergelijkbare artikelen|Aanbevolen voor jou|Vaak samen gekocht|Recent bekeken|Nu populair|Omdat je {title} hebt bekeken|Omdat {title} in je winkelwagen zit|Omdat je {title} hebt gekocht|Niet interessant|Nog niets te tonen|Aanbevelingen laden';
