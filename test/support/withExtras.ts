// The seam the public entry (src/index.ts) fills: the on-demand parts load
// through real dynamic imports of src/extras.ts and the catalogue part, as in the package.
import type { LikewiseDeps } from '../../src/createLikewise';

/** `deps` for `createLikewise` from src/createLikewise.ts, with the part loaders src/index.ts gives it. */
export const withExtras = (deps: LikewiseDeps = {}): LikewiseDeps => ({
  loadExtras: () => import('../../src/extras'),
  loadCatalog: () => import('../../src/model/createCatalogPart'),
  ...deps,
});
