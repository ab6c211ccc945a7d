import { OPTIONS } from './checkOptions';
import type { LikewiseOptions } from './createLikewise';

/** `"false"`, `"off"` or `"0"` (any case): an attribute value that turns a feature off. */
export const isOff = (v?: string): boolean => /^(false|off|0)$/i.test(v as string);

/**
 * Reads the options of the script-tag build from its own `<script>` tag.
 * Every option of `createLikewise` that an attribute can spell is read from
 * `data-<option>` (`data-session-timeout` for `sessionTimeout`), by the same
 * table `createLikewise` checks (`OPTIONS` in checkOptions.ts): numbers
 * converted, `true or false` options on unless `"false"`, `"off"` or `"0"`,
 * the rest as written, so `createLikewise` refuses bad values with its usual
 * messages. Apart from the table: `data-auto-track` (off with `"false"`,
 * `"off"` or `"0"`; default on) and `data-holdout` (`experiment: { holdout }`).
 * Functions and objects (`onError`, `widgets`) are not read: code
 * passes those (`Likewise.start()`). Options whose attribute is missing are
 * left out.
 *
 * @param script - the tag (`document.currentScript`), or `null`
 * @returns the options, or `null` when there is no tag or no `data-site`
 * @example
 * // <script src="likewise.iife.js" data-site="my-shop" data-consent="pending"></script>
 * readScriptConfig(document.currentScript) // { site: 'my-shop', consent: 'pending', autoTrack: true }
 */
export function readScriptConfig(script: Element | null | undefined): LikewiseOptions | null {
  const d = (script as HTMLElement | null | undefined)?.dataset;
  if (d?.site == null) return null;
  const o: Record<string, unknown> = {
    autoTrack: !isOff(d.autoTrack),
    experiment: d.holdout == null ? undefined : { holdout: Number(d.holdout) },
    // From code only (`Likewise.start()`); `data-widgets="false"` is the tag's own switch.
    onError: undefined,
    widgets: undefined,
  };
  for (const k of Object.keys(OPTIONS)) {
    const v = d[k];
    // As written, else as a number, else as a switch: whichever the option's rule takes.
    if (v != null && !(k in o)) o[k] = [v, Number(v), !isOff(v)].find(OPTIONS[k][0]) ?? v;
  }
  return o as unknown as LikewiseOptions;
}
