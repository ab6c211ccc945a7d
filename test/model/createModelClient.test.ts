// @vitest-environment happy-dom
// The client against the real Worker entry (src/worker.ts, loaded with a fake
// `self`) and the real service, behind a fake Worker class that passes
// structured clones both ways, as a browser does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LikewiseError } from '../../src/errors';
import { createModelClient } from '../../src/model/createModelClient';
import { createModelService, type ModelService } from '../../src/model/createModelService';
import { failOnUnhandled } from '../support/fakeStores';
import { event, serve, tinyModel } from './fixtures';

failOnUnhandled();
afterEach(() => {
  vi.unstubAllGlobals();
});

const M = 'https://cdn.test/m/';
const MODEL = `${M}manifest.json`;
const WORKER = 'https://shop.test/likewise.worker.js';
const EVENTS = [event('view', 'x', 1), event('view', 'y', 2)];

type Scope = { onmessage: ((e: { data: unknown }) => void) | null; postMessage(m: unknown): void };

/** Loads a fresh copy of src/worker.ts with `self` = a fake scope. */
async function loadWorkerScope(): Promise<Scope & { target?: FakeWorker }> {
  const scope: Scope & { target?: FakeWorker } = {
    onmessage: null,
    postMessage(message) {
      const copy = structuredClone(message);
      setTimeout(() => scope.target?.onmessage?.({ data: copy } as MessageEvent));
    },
  };
  vi.resetModules();
  vi.stubGlobal('self', scope);
  await import('../../src/worker');
  vi.stubGlobal('self', window);
  return scope;
}

/** A Worker that runs src/worker.ts (set `scope` before the first call); `silent` ones never answer. */
class FakeWorker {
  static instances: FakeWorker[] = [];
  static scope: Scope & { target?: FakeWorker };
  static silent = false;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  received: unknown[] = [];
  terminated = false;
  constructor(readonly url: string) {
    FakeWorker.instances.push(this);
    FakeWorker.scope.target = this;
  }
  postMessage(message: unknown) {
    this.received.push(message);
    if (FakeWorker.silent || this.terminated) return;
    const copy = structuredClone(message);
    setTimeout(() => FakeWorker.scope.onmessage?.({ data: copy }));
  }
  terminate() {
    this.terminated = true;
  }
  /** What a browser does when the script is missing or throws at top level. */
  fail() {
    const event = { preventDefault: vi.fn(), message: 'Script error.' };
    this.onerror?.(event as unknown as ErrorEvent);
    return event;
  }
}

async function setup(options: { silent?: boolean; model?: string } = {}) {
  const server = serve({ [M]: tinyModel() });
  // The worker's service uses the global fetch, as in a browser.
  vi.stubGlobal('fetch', server.fetch);
  FakeWorker.instances = [];
  FakeWorker.silent = options.silent ?? false;
  FakeWorker.scope = await loadWorkerScope();
  const loadService = vi.fn(
    async () => (model?: string) => createModelService(model, { fetch: server.fetch }),
  );
  const direct = createModelService(MODEL, { fetch: server.fetch });
  return { server, loadService, direct };
}

const answers = async (s: ModelService) => [
  await s.lists(['a', 'b', 'nope']),
  await s.popularity(),
  await s.train(EVENTS),
];

describe('createModelClient', () => {
  it('starts nothing until the first call, then answers through the Worker', async () => {
    const { loadService, direct, server } = await setup();
    const client = createModelClient({
      model: MODEL,
      worker: WORKER,
      loadService,
      Worker: FakeWorker as unknown as typeof Worker,
    });
    expect(FakeWorker.instances).toEqual([]);
    expect(server.calls).toEqual([]);
    expect(await answers(client)).toEqual(await answers(direct));
    expect(FakeWorker.instances.map((w) => w.url)).toEqual([WORKER]);
    const [worker] = FakeWorker.instances;
    expect(worker.received[0]).toEqual([0, 'init', [MODEL]]);
    expect(worker.received.slice(1).map((m) => (m as unknown[])[1])).toEqual([
      'lists',
      'popularity',
      'train',
    ]);
    expect(loadService).not.toHaveBeenCalled();
  });

  it('uses the main thread when the Worker cannot be constructed (Trusted Types, CSP)', async () => {
    const { loadService, direct } = await setup();
    const Refused = vi.fn(function Refused() {
      throw new TypeError(
        "Failed to construct 'Worker': This document requires 'TrustedScriptURL'",
      );
    });
    const client = createModelClient({
      model: MODEL,
      worker: WORKER,
      loadService,
      Worker: Refused as unknown as typeof Worker,
    });
    expect(await answers(client)).toEqual(await answers(direct));
    expect(Refused).toHaveBeenCalledTimes(1);
    expect(loadService).toHaveBeenCalledTimes(1);
  });

  it('uses the main thread without a worker URL or without Worker support', async () => {
    const { loadService, direct } = await setup();
    const noUrl = createModelClient({
      model: MODEL,
      loadService,
      Worker: FakeWorker as unknown as typeof Worker,
    });
    expect(await noUrl.popularity()).toEqual(await direct.popularity());
    const noWorker = createModelClient({ model: MODEL, worker: WORKER, loadService });
    expect(await noWorker.popularity()).toEqual(await direct.popularity());
    expect(FakeWorker.instances).toEqual([]);
  });

  it('hands the calls pending in a Worker that fails to the main thread, and stays there', async () => {
    const { loadService, direct } = await setup({ silent: true });
    const client = createModelClient({
      model: MODEL,
      worker: WORKER,
      loadService,
      Worker: FakeWorker as unknown as typeof Worker,
    });
    const pending = Promise.all([client.lists(['a']), client.popularity()]);
    await new Promise((r) => setTimeout(r, 5));
    expect(loadService).not.toHaveBeenCalled();
    const [worker] = FakeWorker.instances;
    const errorEvent = worker.fail();
    expect(await pending).toEqual([await direct.lists(['a']), await direct.popularity()]);
    // The page sees no "Uncaught" error for a Worker the SDK handled.
    expect(errorEvent.preventDefault).toHaveBeenCalled();
    expect(worker.terminated).toBe(true);
    expect(await client.train(EVENTS)).toEqual(await direct.train(EVENTS));
    expect(FakeWorker.instances).toHaveLength(1);
    expect(loadService).toHaveBeenCalledTimes(1);
  });

  it('passes errors from the Worker on as LikewiseError with their code', async () => {
    const { loadService } = await setup();
    const client = createModelClient({
      model: 'https://cdn.test/missing/manifest.json',
      worker: WORKER,
      loadService,
      Worker: FakeWorker as unknown as typeof Worker,
    });
    const fetchError = await client.lists(['a']).catch((e) => e);
    expect(fetchError).toBeInstanceOf(LikewiseError);
    expect(fetchError.code).toBe('MODEL_FETCH');
    expect(fetchError.message).toBe(
      'Cannot fetch model file https://cdn.test/missing/manifest.json: HTTP 404.',
    );
    const inputError = await client.train('nope' as never).catch((e) => e);
    expect(inputError).toBeInstanceOf(LikewiseError);
    expect([inputError.code, inputError.message]).toEqual([
      'INVALID_INPUT',
      'train needs an array of events.',
    ]);
    // A failed answer is not a failed Worker: it is still the one answering.
    expect(FakeWorker.instances[0].terminated).toBe(false);
    expect(loadService).not.toHaveBeenCalled();
  });

  it('a main-thread fallback that cannot load rejects, and is retried on the next call', async () => {
    const { direct } = await setup();
    let fail = true;
    const loadService = vi.fn(async () => {
      if (fail) throw new TypeError('Failed to fetch dynamically imported module');
      return (model?: string) => createModelService(model, { fetch: globalThis.fetch });
    });
    const client = createModelClient({ model: MODEL, loadService });
    await expect(client.popularity()).rejects.toThrow('dynamically imported module');
    fail = false;
    expect(await client.popularity()).toEqual(await direct.popularity());
    expect(loadService).toHaveBeenCalledTimes(2);
  });
});
