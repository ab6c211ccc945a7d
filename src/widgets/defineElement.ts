import { attempt, optionsFromAttributes, WIDGET_ATTRIBUTES } from './optionsFromAttributes';
import type { RenderOptions } from './render';

/**
 * Registers the `<likewise-recs>` custom element:
 * `<likewise-recs type="similar" item-id="sku-1" limit="8" heading="You may also like">`
 * (the heading attribute is `heading`, not `title`, which would show a tooltip
 * over the whole widget; other attributes as in `observeContainers` without
 * `data-`). It renders when connected, renders afresh when an attribute
 * changes (batched per microtask) and cleans up when disconnected.
 * Idempotent; a no-op where custom elements are unsupported.
 *
 * @param connect - renders into the element and returns a cleanup (typically `render`)
 * @param registry - default `customElements`
 * @param onError - receives errors thrown by `connect` or a cleanup. Default `console.error`.
 * @example
 * defineLikewiseElement((el, options) => render(el, options, deps));
 */
export function defineLikewiseElement(
  connect: (el: HTMLElement, options: RenderOptions) => () => void,
  registry: CustomElementRegistry | undefined = globalThis.customElements,
  onError: (error: unknown) => void = console.error,
): void {
  if (!registry || registry.get('likewise-recs')) return;
  const cleanups = new WeakMap<HTMLElement, (() => void) | undefined>();
  const stop = (el: HTMLElement) => {
    attempt(onError, cleanups.get(el));
    cleanups.delete(el);
  };
  registry.define(
    'likewise-recs',
    class extends HTMLElement {
      static observedAttributes = ['type', 'heading', ...WIDGET_ATTRIBUTES];
      declare queued?: boolean;
      connectedCallback() {
        this.attributeChangedCallback();
      }
      disconnectedCallback() {
        stop(this);
      }
      attributeChangedCallback() {
        // One render per burst of attribute changes (and none for an upgrade's initial attributes).
        if (this.queued || !this.isConnected) return;
        this.queued = true;
        queueMicrotask(() => {
          this.queued = false;
          if (!this.isConnected) return;
          stop(this);
          cleanups.set(
            this,
            attempt(onError, () =>
              connect(this, optionsFromAttributes(this, '', 'type', 'heading')),
            ),
          );
        });
      }
    },
  );
}
