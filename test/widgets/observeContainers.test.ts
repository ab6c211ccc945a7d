// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { observeContainers } from '../../src/widgets/observeContainers';
import type { RenderOptions } from '../../src/widgets/render';
import { flush } from '../support/widgetFakes';

/** Records every render and cleanup per container. */
function recorder() {
  const log: string[] = [];
  const options = new Map<Element, RenderOptions>();
  const onContainer = vi.fn((el: HTMLElement, o: RenderOptions) => {
    log.push(`render ${el.id}`);
    options.set(el, o);
    return () => log.push(`cleanup ${el.id}`);
  });
  return { log, options, onContainer };
}

function div(html: Record<string, string>, id: string) {
  const el = document.createElement('div');
  el.id = id;
  for (const [k, v] of Object.entries(html)) el.setAttribute(k, v);
  return el;
}

let stop: (() => void) | undefined;
beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('observeContainers', () => {
  it('renders the containers present at start with options read from data-*', () => {
    document.body.append(
      div(
        {
          'data-likewise': 'similar',
          'data-item-id': 'sku-1',
          'data-limit': '4',
          'data-title': 'You may also like',
          'data-collapse-empty': 'false',
          'data-lazy': 'false',
          'data-show-reason': '',
          'data-dismissible': 'true',
        },
        'a',
      ),
      div({ 'data-likewise': 'trending' }, 'b'),
      div({ 'data-likewise-item': 'x' }, 'not-a-container'),
    );
    const { log, options, onContainer } = recorder();
    stop = observeContainers(document, onContainer);
    expect(log).toEqual(['render a', 'render b']);
    expect(options.get(document.getElementById('a') as Element)).toEqual({
      type: 'similar',
      itemId: 'sku-1',
      limit: 4,
      title: 'You may also like',
      collapseEmpty: false,
      lazy: false,
      showReason: true,
      dismissible: true,
    });
    expect(options.get(document.getElementById('b') as Element)).toEqual({ type: 'trending' });
  });

  it('finds containers added later, also nested in an added subtree, once each', async () => {
    const { log, onContainer } = recorder();
    stop = observeContainers(document, onContainer);
    const wrapper = document.createElement('section');
    wrapper.append(
      div({ 'data-likewise': 'for-you' }, 'n1'),
      div({ 'data-likewise': 'trending' }, 'n2'),
    );
    document.body.append(wrapper);
    document.body.append(div({ 'data-likewise': 'trending' }, 'n3'));
    await flush();
    expect(log).toEqual(['render n1', 'render n2', 'render n3']);
    // Moving a container within the page does not render it again.
    document.body.prepend(document.getElementById('n3') as Element);
    await flush();
    expect(log).toEqual(['render n1', 'render n2', 'render n3']);
  });

  it('cleans up containers removed from the page, also inside a removed subtree', async () => {
    const wrapper = document.createElement('section');
    wrapper.append(div({ 'data-likewise': 'for-you' }, 'r1'));
    document.body.append(wrapper, div({ 'data-likewise': 'trending' }, 'r2'));
    const { log, onContainer } = recorder();
    stop = observeContainers(document, onContainer);
    wrapper.remove();
    await flush();
    expect(log).toEqual(['render r1', 'render r2', 'cleanup r1']);
    stop();
    stop = undefined;
    expect(log).toEqual(['render r1', 'render r2', 'cleanup r1', 'cleanup r2']);
  });

  it('renders afresh when an option attribute changes (single-page apps)', async () => {
    const el = div({ 'data-likewise': 'similar', 'data-item-id': 'sku-1' }, 'c');
    document.body.append(el);
    const { log, options, onContainer } = recorder();
    stop = observeContainers(document, onContainer);
    el.setAttribute('data-item-id', 'sku-2');
    el.setAttribute('data-limit', '3');
    el.setAttribute('class', 'unrelated');
    await flush();
    expect(log).toEqual(['render c', 'cleanup c', 'render c']);
    expect(options.get(el)).toMatchObject({ itemId: 'sku-2', limit: 3 });
  });

  it('stops observing after cleanup', async () => {
    const { log, onContainer } = recorder();
    stop = observeContainers(document, onContainer);
    stop();
    stop = undefined;
    document.body.append(div({ 'data-likewise': 'trending' }, 'late'));
    await flush();
    expect(log).toEqual([]);
  });

  it('passes errors of one container to onError and goes on with the others', async () => {
    document.body.append(
      div({ 'data-likewise': 'nonsense' }, 'bad'),
      div({ 'data-likewise': 'trending' }, 'good'),
    );
    const onError = vi.fn();
    const rendered: string[] = [];
    stop = observeContainers(
      document,
      (el, o) => {
        if (o.type !== 'trending') throw new Error(`bad type ${o.type}`);
        rendered.push(el.id);
        return () => {};
      },
      { onError },
    );
    expect(rendered).toEqual(['good']);
    expect(onError).toHaveBeenCalledWith(new Error('bad type nonsense'));
  });

  it('scans only the given root and works without MutationObserver', () => {
    const scope = document.createElement('main');
    scope.append(div({ 'data-likewise': 'trending' }, 'in'));
    document.body.append(scope, div({ 'data-likewise': 'trending' }, 'out'));
    const { log, onContainer } = recorder();
    stop = observeContainers(scope, onContainer, {
      MutationObserver: undefined as never,
    });
    expect(log).toEqual(['render in']);
  });
});
