// A shop's TypeScript file: must type-check against the bundled .d.ts.
import { createLikewise, isLikewiseError, type LikewiseEvent, type Recommendation } from 'likewise';

const lw = createLikewise({ site: 'shop', consent: 'pending' });
lw.track({ type: 'view', itemId: 'sku-1' }).catch((e: unknown) => {
  if (isLikewiseError(e, 'INVALID_EVENT')) console.warn(e.code, e.message);
});
const first = (list: Recommendation[]): string | undefined => list[0]?.item.title;
const ids = (events: LikewiseEvent[]): string[] => events.map((e) => e.id);

export { first, ids, lw };
