/**
 * Calls `fn` with `node` itself when it has attribute `name`, then with
 * every element inside it that has it: an added node, or the root a page
 * passed, may be the container itself. Text nodes and documents are fine.
 *
 * @example eachWithAttribute(document, 'data-likewise-segment', decide)
 */
export function eachWithAttribute(
  node: Node | ParentNode,
  name: string,
  fn: (el: Element) => void,
): void {
  if ((node as Element).hasAttribute?.(name)) fn(node as Element);
  (node as ParentNode).querySelectorAll?.(`[${name}]`).forEach(fn);
}
