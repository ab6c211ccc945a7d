/** The widget texts in Spanish, `|`-separated in `TEXT_KEYS` order (see `widgetTexts`). */
export const texts: string =
  'Artículos similares|Recomendado para ti|Se compran juntos a menudo|Vistos recientemente|Tendencias|Porque viste {title}|Porque {title} está en tu cesta|Porque compraste {title}|No me interesa|Todavía no hay nada que mostrar|Cargando recomendaciones';
