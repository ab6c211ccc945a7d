/** The widget texts in French, `|`-separated in `TEXT_KEYS` order (see `widgetTexts`). */
export const texts: string =
  'Articles similaires|Recommandé pour vous|Souvent achetés ensemble|Vus récemment|Tendances du moment|Parce que vous avez consulté {title}|Parce que {title} est dans votre panier|Parce que vous avez acheté {title}|Pas intéressé|Rien à afficher pour le moment|Chargement des recommandations';
