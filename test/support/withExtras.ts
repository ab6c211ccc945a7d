// The seam the public entry (src/index.ts) fills: the on-demand parts load
// through a real dynamic import of src/extras.ts, as in the package.
import type { LikewiseDeps } from '../../src/createLikewise';

/** `deps` for `createLikewise` from src/createLikewise.ts, with the extras loader src/index.ts gives it. */
export const withExtras = (deps: LikewiseDeps = {}): LikewiseDeps => ({
  loadExtras: () => import('../../src/extras'),
  ...deps,
});
