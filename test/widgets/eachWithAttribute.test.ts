// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { eachWithAttribute } from '../../src/widgets/eachWithAttribute';

describe('eachWithAttribute', () => {
  it('visits the node itself when it has the attribute, then the elements inside that have it', () => {
    document.body.innerHTML =
      '<div id="root" data-x><p id="a" data-x></p><p id="b"></p><span><i id="c" data-x=""></i></span></div>';
    const seen: string[] = [];
    eachWithAttribute(document.getElementById('root')!, 'data-x', (el) => seen.push(el.id));
    expect(seen).toEqual(['root', 'a', 'c']);
  });

  it('takes a document or a text node without complaint', () => {
    document.body.innerHTML = '<b id="d" data-x></b>';
    const seen: string[] = [];
    eachWithAttribute(document, 'data-x', (el) => seen.push(el.id));
    eachWithAttribute(document.createTextNode('t'), 'data-x', (el) => seen.push(el.id));
    expect(seen).toEqual(['d']);
  });
});
