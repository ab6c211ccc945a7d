// The seam the public entry (src/index.ts) fills: the on-demand parts load
// through a real dynamic import of their modules, as in the package.
import type { LikewiseDeps } from '../../src/createLikewise';
import { observeLater } from '../../src/observeLater';
import { loadPart } from './parts';

/** `deps` for `createLikewise` from src/createLikewise.ts, with the part loaders src/index.ts gives it. */
export const withExtras = (deps: LikewiseDeps = {}): LikewiseDeps => {
  const load = deps.load ?? ((name) => loadPart(name));
  return { load, observePage: observeLater(load), ...deps };
};
