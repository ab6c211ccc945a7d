/**
 * `likewise recommend` over many users on several threads: each worker
 * thread scores chunks of users from the model and the log in shared
 * memory, and the main thread writes the chunks' lines in user order.
 */
import { parentPort, Worker } from 'node:worker_threads';
import { type BatchLog, type BatchRequest, batchScorer, type FlatModel } from './recommendBatch';

/** What each worker gets once: the model, the log, the question. */
export interface RecommendPayload {
  flat: FlatModel;
  log: BatchLog;
  request: BatchRequest;
  /** Users per chunk. */
  chunk: number;
  users: number;
}

/** Messages from the main thread: a chunk to score, or the end. */
type ToWorker = { chunk: number } | { done: true };
/** Messages to the main thread: a chunk's lines, or the task's end (runWorkerTask's shape). */
type FromWorker = { chunk: number; bytes: Uint8Array } | { ok: boolean; error?: string };

/**
 * The worker's side (the `recommendUsers` task): scores the chunks the main
 * thread sends until it says done.
 */
export function serveRecommendUsers(payload: RecommendPayload): Promise<{ result: null }> {
  const port = parentPort!;
  const { lines } = batchScorer(payload.flat, payload.log, payload.request);
  return new Promise((resolve) => {
    port.on('message', (message: ToWorker) => {
      if ('done' in message) {
        port.removeAllListeners('message');
        resolve({ result: null });
        return;
      }
      const from = message.chunk * payload.chunk;
      const to = Math.min(payload.users, from + payload.chunk);
      const bytes = lines(from, to);
      port.postMessage({ chunk: message.chunk, bytes } satisfies FromWorker, [bytes.buffer]);
    });
  });
}

/**
 * Scores users 0 to `payload.users` - 1 on `threads` worker threads
 * started from `entry` (the built CLI), handing `write` each chunk's lines
 * in user order. Two chunks per worker are in flight, so none waits for
 * the next, and the chunks held for ordering stay few.
 */
export function recommendInWorkers(
  entry: string,
  threads: number,
  payload: RecommendPayload,
  write: (bytes: Uint8Array) => void,
): Promise<void> {
  const chunks = Math.ceil(payload.users / payload.chunk);
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const held = new Map<number, Uint8Array>();
    let next = 0;
    let written = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const feed = (worker: Worker) => {
      if (next < chunks) worker.postMessage({ chunk: next++ } satisfies ToWorker);
      else worker.postMessage({ done: true } satisfies ToWorker);
    };
    let finished = 0;
    for (let t = 0; t < Math.min(threads, chunks); t++) {
      const worker = new Worker(new URL(entry), {
        workerData: { likewiseTask: 'recommendUsers', payload },
      });
      workers.push(worker);
      let done = false;
      worker.on('message', (message: FromWorker) => {
        if ('ok' in message) {
          done = true;
          if (!message.ok) fail(new Error(message.error));
          else if (++finished === workers.length) {
            for (const w of workers) void w.terminate();
            resolve();
          }
          return;
        }
        held.set(message.chunk, message.bytes);
        for (let bytes = held.get(written); bytes !== undefined; bytes = held.get(written)) {
          held.delete(written++);
          write(bytes);
        }
        feed(worker);
      });
      worker.once('error', fail);
      worker.once('exit', (code) => {
        if (!done) fail(new Error(`recommend worker exited with code ${code}`));
      });
      feed(worker);
      feed(worker);
    }
  });
}
