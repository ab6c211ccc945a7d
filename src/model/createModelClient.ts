/**
 * The main thread's side of the model service: the same three calls, sent
 * to a Worker when one can start, else answered by the service itself,
 * loaded lazily on the main thread. A Worker that fails (blocked by CSP or
 * Trusted Types, missing file, crash) hands its pending calls to the
 * fallback, so callers only ever see the service's own answers.
 */
import { LikewiseError, type LikewiseErrorCode } from '../errors';
import type { ModelService } from './createModelService';

/** Options of {@link createModelClient}. */
export interface ModelClientOptions {
  /** Absolute URL of the model manifest; none: empty lists. */
  model?: string;
  /** Absolute URL of `likewise.worker.js`; none: no Worker. */
  worker?: string;
  /** Loads the service for the main-thread fallback (a lazy chunk). */
  loadService: () => Promise<(model?: string) => ModelService>;
  /** Default `globalThis.Worker`. */
  Worker?: typeof Worker;
}

type Pending = [
  resolve: (v: unknown) => void,
  reject: (e: unknown) => void,
  method: keyof ModelService,
  args: unknown[],
];

/**
 * Creates the client. Nothing starts until the first call.
 *
 * @example const model = createModelClient({ model: url, worker: workerUrl, loadService })
 */
export function createModelClient(options: ModelClientOptions): ModelService {
  let fallback: Promise<ModelService> | undefined;
  let worker: Worker | undefined;
  let tried = false;
  let seq = 0;
  const waiting = new Map<number, Pending>();

  const local = () => {
    fallback ??= options
      .loadService()
      .then((create) => create(options.model))
      .catch((e: unknown) => {
        // A chunk that failed to load (offline for a moment) is tried again next call.
        fallback = undefined;
        throw e;
      });
    return fallback;
  };
  const run = (method: keyof ModelService, args: unknown[]) =>
    local().then((s) => (s[method] as (...a: unknown[]) => Promise<unknown>)(...args));

  const giveUp = () => {
    worker?.terminate();
    worker = undefined;
    for (const [resolve, reject, method, args] of waiting.values())
      run(method, args).then(resolve, reject);
    waiting.clear();
  };

  const start = (): Worker | undefined => {
    if (tried) return worker;
    tried = true;
    const W = options.Worker ?? (globalThis as { Worker?: typeof Worker }).Worker;
    if (!options.worker || !W) return undefined;
    try {
      worker = new W(options.worker);
      worker.onmessage = ({ data }: MessageEvent) => {
        const [id, result, error] = data as [number, unknown, [LikewiseErrorCode, string]?];
        const p = waiting.get(id);
        if (!p) return;
        waiting.delete(id);
        if (error) p[1](new LikewiseError(error[0], error[1]));
        else p[0](result);
      };
      worker.onerror = (e) => {
        e.preventDefault?.();
        giveUp();
      };
      worker.postMessage([0, 'init', [options.model]]);
    } catch {
      // Trusted Types or CSP refused the Worker: the main thread does the work.
      worker = undefined;
    }
    return worker;
  };

  const call = (method: keyof ModelService, ...args: unknown[]): Promise<never> =>
    new Promise((resolve, reject) => {
      const w = start();
      if (!w) return void run(method, args).then(resolve as (v: unknown) => void, reject);
      const id = ++seq;
      waiting.set(id, [resolve as (v: unknown) => void, reject, method, args]);
      w.postMessage([id, method, args]);
    });

  return {
    lists: (ids) => call('lists', ids),
    popularity: () => call('popularity'),
    train: (events) => call('train', events),
    config: () => call('config'),
  };
}
