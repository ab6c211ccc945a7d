/**
 * The Worker that keeps heavy work off the page's main thread: model shard
 * fetching and decoding, and on-device learning. Messages: `[id, method,
 * args]` in, `[id, result]` or `[id, undefined, [code, message]]` out.
 * The first message is `[0, 'init', [modelUrl]]`.
 */
import { LikewiseError } from './errors';
import { createModelService, type ModelService } from './model/createModelService';

let service: ModelService | undefined;
const scope = self as unknown as {
  onmessage: ((e: { data: [number, string, unknown[]] }) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async ({ data: [id, method, args] }: { data: [number, string, unknown[]] }) => {
  try {
    if (method === 'init') service = createModelService(args[0] as string | undefined);
    // An unknown method (or a call before init) throws a TypeError, answered below.
    const fn = service![method as keyof ModelService] as (...a: unknown[]) => Promise<unknown>;
    scope.postMessage([id, method === 'init' || (await fn(...args))]);
  } catch (e) {
    scope.postMessage([
      id,
      undefined,
      [e instanceof LikewiseError ? e.code : 'INVALID_MODEL', (e as Error)?.message ?? String(e)],
    ]);
  }
};
