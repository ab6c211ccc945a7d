import type { StateStore } from '../store/types';
import type { LikewiseEvent, Scenario } from '../types';
import {
  assignGroup,
  type ExperimentGroup,
  type ExperimentOptions,
  servedScenario,
} from './assignGroup';
import { checkEndpoint, createOutbox, type Outbox, type OutboxDeps } from './createOutbox';
import type { IdentifyLink } from './identifyLink';

/** What {@link startMetrics} needs from the instance (a subset of createLikewise's context). */
export interface MetricsHost {
  readonly randomId: () => string;
  report(error: unknown): void;
  consent(): 'granted' | 'pending' | 'denied';
  /** `null` without consent. */
  state(): StateStore | null;
  events(): Promise<LikewiseEvent[]>;
  subscribe(listener: (event: LikewiseEvent) => void): () => void;
  readonly enrich: ((event: LikewiseEvent) => void)[];
  readonly onForget: (() => void)[];
  readonly cleanups: (() => void)[];
  readonly starting: Promise<unknown>[];
  /**
   * Events announced before measurement started (it loads on demand), still
   * being added to: once the visitor's id is read they are stamped, stored
   * again through {@link MetricsHost.rewrite} and sent; then it is cleared.
   */
  held?: LikewiseEvent[];
  /** Stores events that may already be stored again (same keys), after consent only. */
  rewrite?(events: LikewiseEvent[]): void;
  /** The instance's injected `fetch`: the outbox sends with it (default the global one). */
  readonly fetch?: OutboxDeps['fetch'];
}

/** The metrics options of `createLikewise`. */
export interface MetricsOptions {
  /** The shop's collector; events are sent there after consent. */
  endpoint?: string;
  /** Holdout experiment; see `ExperimentOptions`. */
  experiment?: ExperimentOptions;
}

/** What {@link startMetrics} returns to the instance. */
export interface Metrics {
  /** The visitor's group now (`treatment` without an experiment). */
  group(): ExperimentGroup;
  /** The scenario a widget configured as `scenario` should serve to this visitor (`null`: render nothing). */
  serve(scenario: Scenario): Scenario | null;
  /** Resolves (never rejects) once the visitor's id is read and the held events are stamped and handed on. */
  ready(): Promise<Metrics>;
  /**
   * With consent and an endpoint, sends the collector a link between this
   * visitor and `customer` (a `hashId` hash), so the customer's other
   * devices can fetch this one's events from the profile endpoint. Without
   * either, does nothing.
   */
  link(customer: string): Promise<void>;
}

/** State key of the anonymous visitor id. */
export const VISITOR_KEY = 'visitor';

/**
 * Wires measurement into an instance: stamps `group` (with an experiment)
 * and `visitor` (with an experiment or an endpoint) on every event through
 * `enrich`, and on the events the host held before it started (see
 * {@link MetricsHost.held}, stored again with the stamps), keeps a
 * stable anonymous visitor id in the state store (key `visitor`, created on
 * first use after consent; before consent a per-page id that is stored when
 * consent is granted), and feeds consented events to a persistent outbox.
 * Forget drops the id and closes the outbox; destroy closes it.
 *
 * @param host - The instance context (createLikewise's `ctx`).
 * @param options - See {@link MetricsOptions}; validated at once (assignGroup / createOutbox messages).
 * @param deps - Outbox platform dependencies (tests); `fetch` defaults to `host.fetch`.
 * @example
 * const metrics = startMetrics(ctx, { endpoint: options.endpoint, experiment: options.experiment });
 */
export function startMetrics(
  host: MetricsHost,
  options: MetricsOptions = {},
  deps: OutboxDeps = {},
): Metrics {
  const { endpoint, experiment } = options;
  let pageId = host.randomId();
  // Throws INVALID_OPTION for a bad experiment before anything starts.
  let group = assignGroup(pageId, experiment);
  let visitor: string | null = null;
  let outbox: Outbox | null = null;

  const setVisitor = (id: string) => {
    visitor = id;
    group = assignGroup(id, experiment);
  };
  /** Reads (or stores) the persistent id once consent allows it. */
  let loading: Promise<void> | null = null;
  const load = (): Promise<void> => {
    const state = host.state();
    if (visitor !== null || !state) return Promise.resolve();
    loading ??= (async () => {
      try {
        const stored = await state.get<string>(VISITOR_KEY);
        if (typeof stored === 'string' && stored !== '' && stored.length <= 64) setVisitor(stored);
        else {
          await state.set(VISITOR_KEY, pageId);
          setVisitor(pageId);
        }
      } catch (e) {
        host.report(e);
      } finally {
        loading = null;
      }
    })();
    return loading;
  };
  const first = load();
  host.starting.push(first);

  const outboxFor = (): Outbox | null => {
    const store = host.state();
    if (!endpoint || !store) return null;
    outbox ??= createOutbox(
      { endpoint, store, onError: (e) => host.report(e) },
      { ...deps, fetch: deps.fetch ?? host.fetch },
    );
    return outbox;
  };
  if (endpoint !== undefined) checkEndpoint(endpoint);

  const stamp = (e: LikewiseEvent) => {
    if (experiment) e.group = group;
    if (experiment || endpoint) e.visitor = visitor ?? pageId;
  };
  const send = (e: LikewiseEvent) => {
    if (host.consent() === 'granted') void outboxFor()?.add([e]);
  };
  host.enrich.push((e) => {
    stamp(e);
    if (visitor === null) void load();
  });
  // Held events go out once stamped with the visitor's lasting id and group.
  const unsubscribe = host.subscribe((e) => host.held || send(e));
  host.onForget.push(() => {
    outbox?.close();
    outbox = null;
    visitor = null;
    pageId = host.randomId();
    group = assignGroup(pageId, experiment);
  });
  host.cleanups.push(() => {
    unsubscribe();
    outbox?.close();
    outbox = null;
  });

  const metrics: Metrics = {
    group: () => group,
    serve: (scenario) => servedScenario(scenario, group, experiment),
    ready: () => ready,
    async link(customer) {
      if (!endpoint || host.consent() !== 'granted') return;
      // The lasting visitor id: the one this device's stored events carry.
      await load();
      const link: IdentifyLink = {
        id: host.randomId(),
        type: 'identify',
        ts: Date.now(),
        visitor: visitor ?? pageId,
        customer,
      };
      if (host.consent() === 'granted') await outboxFor()?.add([link]);
    },
  };
  const ready = first.then(() => {
    const held = host.held ?? [];
    host.held = undefined;
    for (const e of held) stamp(e);
    try {
      host.rewrite?.(held);
    } catch (e) {
      host.report(e);
    }
    for (const e of held) send(e);
    return metrics;
  });
  return metrics;
}
