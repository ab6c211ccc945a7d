// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RerankHandle, rerankGrid } from '../../src/widgets/rerankGrid';
import { flush } from '../support/widgetFakes';

/** A grid of cards; `'*'` makes a non-item tile (a banner). */
function grid(ids: string[], attribute = true) {
  const ul = document.createElement('ul');
  if (attribute) ul.setAttribute('data-likewise-rerank', '');
  for (const id of ids) ul.append(card(id));
  return ul;
}

function card(id: string) {
  const li = document.createElement('li');
  if (id === '*') li.className = 'banner';
  else li.setAttribute('data-likewise-item', id);
  li.textContent = id;
  return li;
}

const order = (el: Element) => [...el.children].map((c) => c.textContent);
/** Puts the given ids first, in that order; the others keep theirs. */
const favour =
  (...first: string[]) =>
  (ids: string[]) => [
    ...first.filter((id) => ids.includes(id)),
    ...ids.filter((id) => !first.includes(id)),
  ];

let stop: RerankHandle | undefined;
beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('rerankGrid', () => {
  it('puts the items in the ranker order, moving the same nodes with their listeners', () => {
    const ul = grid(['a', 'b', 'c', 'd']);
    document.body.append(ul);
    const nodes = [...ul.children];
    const clicked = vi.fn();
    nodes[3].addEventListener('click', clicked);
    const rank = vi.fn(favour('d', 'b'));
    stop = rerankGrid(document, rank);
    expect(rank).toHaveBeenCalledWith(['a', 'b', 'c', 'd']);
    expect(order(ul)).toEqual(['d', 'b', 'a', 'c']);
    expect(ul.children[0]).toBe(nodes[3]);
    (ul.children[0] as HTMLElement).click();
    expect(clicked).toHaveBeenCalledTimes(1);
  });

  it('leaves non-item children at their positions', () => {
    const ul = grid(['a', '*', 'b', 'c', '*']);
    document.body.append(ul);
    stop = rerankGrid(document, favour('c', 'b'));
    expect(order(ul)).toEqual(['c', '*', 'b', 'a', '*']);
  });

  it('keeps ids the ranker dropped (after the ranked ones) and ignores invented ids', () => {
    const ul = grid(['a', 'b', 'c', 'd']);
    document.body.append(ul);
    stop = rerankGrid(document, () => ['zz', 'c', 'c', 'a']);
    expect(order(ul)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('is idempotent: its own moves start no new pass, and running again changes nothing', async () => {
    const rank = vi.fn(favour('c'));
    stop = rerankGrid(document, rank);
    const ul = grid(['a', 'b', 'c']);
    document.body.append(ul);
    await flush();
    expect(order(ul)).toEqual(['c', 'a', 'b']);
    expect(rank).toHaveBeenCalledTimes(1);
    const first = [...ul.children];
    stop.refresh();
    await flush();
    expect([...ul.children]).toEqual(first);
    expect(rank).toHaveBeenCalledTimes(2);
  });

  it('reorders grids added later, grids that gain the attribute, and re-rendered grids', async () => {
    stop = rerankGrid(document, favour('c'));
    const late = grid(['a', 'b', 'c']);
    const plain = grid(['a', 'b', 'c'], false);
    document.body.append(late, plain);
    await flush();
    expect(order(late)).toEqual(['c', 'a', 'b']);
    expect(order(plain)).toEqual(['a', 'b', 'c']);
    plain.setAttribute('data-likewise-rerank', '');
    await flush();
    expect(order(plain)).toEqual(['c', 'a', 'b']);
    late.replaceChildren(card('x'), card('c'), card('y'));
    await flush();
    expect(order(late)).toEqual(['c', 'x', 'y']);
  });

  it('leaves a grid alone once the attribute is removed (the shopper sorted by price)', async () => {
    const ul = grid(['a', 'b', 'c']);
    document.body.append(ul);
    stop = rerankGrid(document, favour('c'));
    ul.removeAttribute('data-likewise-rerank');
    ul.replaceChildren(card('a'), card('b'), card('c'));
    await flush();
    expect(order(ul)).toEqual(['a', 'b', 'c']);
  });

  it('reorders again on refresh with what the ranker now says', () => {
    const ul = grid(['a', 'b', 'c']);
    document.body.append(ul);
    let first = 'b';
    stop = rerankGrid(document, (ids) => favour(first)(ids));
    expect(order(ul)).toEqual(['b', 'a', 'c']);
    first = 'c';
    stop.refresh();
    expect(order(ul)).toEqual(['c', 'b', 'a']);
  });

  it('keeps the shop order and reports when the ranker throws', () => {
    const ul = grid(['a', 'b']);
    document.body.append(ul);
    const onError = vi.fn();
    stop = rerankGrid(
      document,
      () => {
        throw new Error('boom');
      },
      { onError },
    );
    expect(order(ul)).toEqual(['a', 'b']);
    expect(onError).toHaveBeenCalledWith(new Error('boom'));
  });

  it('gives focus back to a moved card', () => {
    const ul = grid(['a', 'b']);
    const button = document.createElement('button');
    ul.children[1].append(button);
    document.body.append(ul);
    button.focus();
    stop = rerankGrid(document, favour('b'));
    expect(order(ul)[0]).toContain('b');
    expect(document.activeElement).toBe(button);
  });

  it('stops reordering after cleanup', async () => {
    stop = rerankGrid(document, favour('c'));
    stop();
    const ul = grid(['a', 'b', 'c']);
    document.body.append(ul);
    await flush();
    stop.refresh();
    expect(order(ul)).toEqual(['a', 'b', 'c']);
  });
});
