import { checkRules, checkScenario } from '../model/checkRequest';
import { checkFields, checkValue, FUNCTION, type Rule } from '../shared/checkValue';
import { ID } from '../shared/eventSchema';
import type { RenderOptions } from './render';

const RENDER: Record<string, Rule> = {
  title: [(v) => v === null || typeof v === 'string', 'a string'],
  template: [
    (v) => !v || FUNCTION[0](v) || v.nodeName === 'TEMPLATE',
    'a function or a <template>',
  ],
  widget: ID,
};

/**
 * The checks `render` makes at once, apart from the renderer: the
 * script-tag core makes them before the widget code has loaded, so misuse
 * still throws at the call. Throws `INVALID_OPTION`, worded `render:
 * <field> must be <what>, got <v>.`: `container` an element; `type`,
 * `itemId`, `limit` and `rules` as `recommend` checks them (`inStock` may
 * also be `true`, as markup gives it); `title` a string; `template` a
 * function or a `<template>`; `widget` (the slot's name) a string of 1 to
 * 64 characters.
 *
 * @example checkRender(el, { type: 'similar', itemId: 'sku-1' })
 */
export function checkRender(
  container: unknown,
  options: (RenderOptions & { widget?: string }) | undefined,
): void {
  checkValue(container, [(v) => v?.nodeType === 1, 'an element'], 'render: container');
  checkScenario('render: ', options);
  checkFields(options, RENDER, 'render: ');
  const rules = options?.rules;
  checkRules('render: ', rules?.inStock === true ? { ...rules, inStock: undefined } : rules);
}
