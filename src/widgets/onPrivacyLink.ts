/**
 * Calls `open(link)` when a `data-likewise-privacy` element under `root`
 * (present or added later: the click is delegated) is clicked, instead of
 * following its link; a modified click (Ctrl, Cmd, Shift, Alt, middle
 * button) still follows the link, e.g. to a privacy page in a new tab. Kept
 * apart from the panel itself so the panel can load only when first opened.
 *
 * @returns a cleanup that removes the listener
 * @example onPrivacyLink(document, (link) => openPrivacyPanel({ ...deps, returnFocus: link }))
 */
export function onPrivacyLink(root: ParentNode, open: (link: HTMLElement) => void): () => void {
  const onClick = (event: Event) => {
    const e = event as MouseEvent;
    const link = (e.target as Element).closest?.<HTMLElement>('[data-likewise-privacy]');
    if (!link || e.defaultPrevented || e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey)
      return;
    e.preventDefault();
    open(link);
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
