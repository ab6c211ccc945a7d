/**
 * The parts of likewise that a page does not need in order to track, store
 * and show its first recommendations, loaded on demand (a separate chunk of
 * the npm build, `likewise.extras.mjs` beside the script-tag build): the
 * instance methods behind `report()`, `profile()`, `rerank()`, `identify()`, the privacy panel and
 * targeted content. `createLikewise` loads it on the first call that
 * needs it; measurement is a part of its own (`measure`).
 */
import type { LikewiseCore } from './createCore';
import { LikewiseError } from './errors';
import { computeProfile, type Profile } from './metrics/computeProfile';
import { computeReport, type Report } from './metrics/computeReport';
import { describeVisitor } from './metrics/describeVisitor';
import { hashId } from './metrics/hashId';
import { mergeRemoteHistory } from './metrics/mergeRemoteHistory';
import { currentQuery, queryAffinities } from './metrics/queryAffinities';
import { rerank } from './metrics/rerank';
import { safeUrl } from './shared/safeUrl';
import { applySegments } from './widgets/applySegments';
import { openPrivacyPanel } from './widgets/privacyPanel';
import { rerankGrid } from './widgets/rerankGrid';

/** `lw.profile()`: the visitor's affinities from their history and the catalogue. Rejects on failure (the instance reports it). */
export async function profileOf(core: LikewiseCore): Promise<Profile> {
  const [list, items] = await Promise.all([core.history(), (await core.widgets()).catalog.load()]);
  return computeProfile(list, items, { now: core.now() });
}

/**
 * `lw.report()`: the figures of the visitor's own events when measurement
 * runs (they carry its groups), else of their history. Computed here, not in
 * the measurement part, which every page with an experiment loads.
 */
export async function reportOf(core: LikewiseCore): Promise<Report> {
  const events = (await core.metrics) ? await core.events() : await core.history();
  return computeReport(events, { windowDays: core.options.windowDays, visitorKey: () => 'me' });
}

/** `lw.rerank(ids)`: the ids reordered by the visitor's affinity. */
export async function rerankOf(core: LikewiseCore, itemIds: string[]): Promise<string[]> {
  const [p, items, events] = await Promise.all([
    profileOf(core),
    (await core.widgets()).catalog.load(),
    core.history(),
  ]);
  // On a search's results, what that query led to before ranks first.
  const query = currentQuery(events, core.now());
  return rerank(itemIds, p, items, query ? { query: queryAffinities(events, query, items) } : {});
}

/**
 * `lw.identify(customerId)` after its argument check: stores the customer's
 * hash (after consent), sends the collector the link between this visitor
 * and that hash (after consent, with an `endpoint`) and, with
 * `profileEndpoint`, keeps the history of
 * their other devices in memory for this page (`core.history` merges them
 * until a `forget()`).
 * Rejects with `NETWORK` when the endpoint fails (the instance reports it).
 *
 * A `forget()` (or a withdrawal) after this started ends it: nothing is
 * stored or kept afterwards, else the erased customer would come back.
 * @param forgotten - Whether a forget came since the call (the instance
 *   counts them from the call: this chunk may load after the forget ran).
 */
export async function identify(
  core: LikewiseCore,
  customerId: string,
  forgotten: () => boolean = () => false,
): Promise<void> {
  const hash = await hashId(customerId, core.site);
  if (forgotten()) return;
  await core.state()?.set('customer', hash);
  // The link goes to the collector (consent and an endpoint permitting), so
  // the customer's other devices can fetch this one's events.
  if (!forgotten()) await (await core.metrics)?.link(hash);
  if (forgotten()) return;
  const endpoint = core.options.profileEndpoint;
  if (!endpoint || forgotten()) return;
  let body: unknown;
  try {
    const url = new URL(safeUrl(endpoint, core.document?.baseURI) ?? endpoint);
    url.searchParams.set('customer', hash);
    const response = await (core.fetch ?? fetch)(url.href);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (e) {
    throw new LikewiseError(
      'NETWORK',
      `Cannot load the customer's history from the profile endpoint: ${(e as Error)?.message}`,
      e,
    );
  }
  const mine = await core.events();
  if (forgotten()) return;
  const local = new Set(mine.map((e) => e.id));
  // Kept in memory for this page only: another device's events are never stored here.
  const remote = mergeRemoteHistory(mine, body).events.filter((e) => !local.has(e.id));
  // A later identify() (another customer) replaces it.
  core.history = () => core.events().then((own) => [...remote, ...own].sort((a, b) => a.ts - b.ts));
  // One reset per instance, however often a page identifies (the listeners stay).
  if (resettable.has(core)) return;
  resettable.add(core);
  core.onForget.push(() => {
    core.history = core.events;
  });
}

/** Instances whose `forget()` already puts the plain history back. */
const resettable = new WeakSet<LikewiseCore>();

/** Opens the privacy panel for a clicked `[data-likewise-privacy]` link. */
export function openPrivacy(core: LikewiseCore, link: HTMLElement): void {
  const { lw } = core;
  openPrivacyPanel({
    returnFocus: link,
    locale: core.options.locale,
    translations: core.options.widgets?.translations?.privacy,
    onError: core.report,
    describe: async () => {
      const { catalog } = await core.widgets();
      return describeVisitor(
        await core.history(),
        await profileOf(core),
        (id) => catalog.get(id)?.title,
        lw.storage,
        lw.consent,
      );
    },
    clear: () => lw.forget(),
    optOut: () => lw.setConsent('denied'),
  });
}

/**
 * Applies `data-likewise-segment` and `data-likewise-rerank` under `root`
 * from the visitor's profile. Resolves to a cleanup.
 */
export async function personalise(core: LikewiseCore, root: ParentNode): Promise<() => void> {
  const [p, items] = await Promise.all([profileOf(core), (await core.widgets()).catalog.load()]);
  const segments = applySegments(root, p, { onError: core.report });
  const grids = rerankGrid(root, (ids) => rerank(ids, p, items), { onError: core.report });
  return () => {
    segments();
    grids();
  };
}
