// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineLikewiseElement } from '../../src/widgets/defineElement';
import type { RenderOptions } from '../../src/widgets/render';
import { flush } from '../support/widgetFakes';

afterEach(() => {
  document.body.replaceChildren();
});

const log: string[] = [];
const rendered: RenderOptions[] = [];
const connect = vi.fn((el: HTMLElement, options: RenderOptions) => {
  rendered.push(options);
  const child = document.createElement('p');
  child.textContent = `${options.type} ${options.itemId ?? ''}`;
  el.append(child);
  log.push(`render ${options.type} ${options.itemId}`);
  return () => {
    child.remove();
    log.push('cleanup');
  };
});

describe('defineLikewiseElement', () => {
  it('registers nothing at import time', () => {
    expect(customElements.get('likewise-recs')).toBeUndefined();
  });

  it('is a no-op without custom elements', () => {
    const real = customElements;
    vi.stubGlobal('customElements', undefined);
    try {
      expect(() => defineLikewiseElement(connect)).not.toThrow();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(real.get('likewise-recs')).toBeUndefined();
  });

  it('renders <likewise-recs> with options from its attributes, and cleans up when removed', async () => {
    defineLikewiseElement(connect);
    const el = document.createElement('likewise-recs');
    el.setAttribute('type', 'similar');
    el.setAttribute('item-id', 'sku-1');
    el.setAttribute('limit', '4');
    el.setAttribute('heading', 'More like this');
    el.setAttribute('show-reason', '');
    document.body.append(el);
    await flush();
    expect(log).toEqual(['render similar sku-1']);
    expect(rendered.at(-1)).toEqual({
      type: 'similar',
      itemId: 'sku-1',
      limit: 4,
      title: 'More like this',
      showReason: true,
    });
    expect(el.textContent).toBe('similar sku-1');
    el.remove();
    expect(log).toEqual(['render similar sku-1', 'cleanup']);
    expect(el.textContent).toBe('');
  });

  it('renders afresh once per burst of attribute changes', async () => {
    log.length = 0;
    const el = document.createElement('likewise-recs');
    el.setAttribute('type', 'similar');
    el.setAttribute('item-id', 'sku-1');
    document.body.append(el);
    await flush();
    el.setAttribute('item-id', 'sku-2');
    el.setAttribute('limit', '2');
    await flush();
    expect(log).toEqual(['render similar sku-1', 'cleanup', 'render similar sku-2']);
    expect(rendered.at(-1)?.limit).toBe(2);
    expect(el.textContent).toBe('similar sku-2');
  });

  it('is idempotent: a second call keeps the first definition', () => {
    const other = vi.fn(() => () => {});
    const before = customElements.get('likewise-recs');
    expect(() => defineLikewiseElement(other)).not.toThrow();
    expect(customElements.get('likewise-recs')).toBe(before);
  });

  it('passes a throwing connect to onError instead of the page', async () => {
    const onError = vi.fn();
    const registry = {
      get: () => undefined,
      define: vi.fn(),
    } as unknown as CustomElementRegistry;
    defineLikewiseElement(
      () => {
        throw new Error('bad type');
      },
      registry,
      onError,
    );
    const Element = (registry.define as ReturnType<typeof vi.fn>).mock.calls[0][1];
    customElements.define('likewise-recs-failing', Element);
    document.body.append(document.createElement('likewise-recs-failing'));
    await flush();
    expect(onError).toHaveBeenCalledWith(new Error('bad type'));
  });
});
