// The on-demand parts as the npm entry loads them (src/importPart.ts), for
// tests that build an instance from src/createLikewise or hold one part back.
import type { LikewiseParts } from '../../src/createLikewise';
import { importPart } from '../../src/importPart';
import { noPreload } from '../../src/shared/noPreload';

/**
 * Loads a part; those named in `held` wait for `until` first.
 * @example createLikewise(options, { load: loadPart })
 */
export const loadPart = <K extends keyof LikewiseParts>(
  name: K,
  held: Partial<Record<keyof LikewiseParts, Promise<unknown>>> = {},
): Promise<LikewiseParts[K]> =>
  (held[name] ?? Promise.resolve()).then(() => importPart(name, noPreload));

/** The `erase` part, as an instance passes it to its stores (`StoreDeps.erase`). */
export const erase = () => loadPart('erase');
