/** The languages whose texts are built in (widgets and privacy panel). */
export const LANGUAGES: string[] = ['de', 'en', 'fr', 'it', 'es', 'nl'];

/**
 * The language of a BCP 47 tag (`de-AT` → `de`, `en_US` → `en`), lower case,
 * when its texts are built in ({@link LANGUAGES}); else `en`.
 */
export const languageOf = (locale?: string | null): string => {
  const l = (locale ?? '').slice(0, 2).toLowerCase();
  return LANGUAGES.includes(l) ? l : 'en';
};

/** Per document: the parsed `data-likewise-texts` block (or `{}`), read once. */
const blocks = new WeakMap<Document, Record<string, unknown>>();

/**
 * The shop's own texts from the page: the JSON object in
 * `<script type="application/json" data-likewise-texts>` (widget keys at the
 * top level, the privacy panel's under `privacy`). Read once per document;
 * a block that is not a JSON object counts as empty and goes to `onError`.
 *
 * @example
 * // <script type="application/json" data-likewise-texts>{"similar":"Dazu passt"}</script>
 * pageTexts(document).similar // 'Dazu passt'
 */
export function pageTexts(doc: Document, onError?: (e: unknown) => void): Record<string, unknown> {
  let texts = blocks.get(doc);
  if (!texts) {
    texts = {};
    const el = doc.querySelector('script[data-likewise-texts]');
    if (el)
      try {
        const v = JSON.parse(el.textContent as string);
        if (v && typeof v === 'object' && !Array.isArray(v)) texts = v as Record<string, unknown>;
        else throw new TypeError('data-likewise-texts must hold a JSON object');
      } catch (e) {
        onError?.(e);
      }
    blocks.set(doc, texts);
  }
  return texts;
}
