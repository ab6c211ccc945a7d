/**
 * Worker threads for the CLI without a second script: the built
 * `dist/cli.mjs` starts a Worker on itself, and `main.ts` sees it is a worker
 * (through `workerData`) and runs the named task instead of the CLI.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** A task a worker can run: its result, and the buffers to move (not copy) back. */
export type WorkerTask = (payload: never) => Promise<{ result: unknown; transfer?: ArrayBuffer[] }>;

interface TaskData {
  likewiseTask: string;
  payload: unknown;
}

/**
 * The script a worker should load: this module's own file when it is built
 * JavaScript (`dist/cli.mjs`), or undefined when running from TypeScript
 * sources (tests), where callers do the work on the current thread.
 */
export function workerEntry(): string | undefined {
  const url = import.meta.url;
  return /\.(m|c)?js$/.test(url) ? url : undefined;
}

/**
 * Runs `task` with `payload` in a new worker thread loading `entry`, and
 * resolves to its result. `SharedArrayBuffer`s in the payload are shared,
 * not copied.
 *
 * @example const part = await runWorkerTask(entry, 'buildNeighbours', { log, options });
 */
export function runWorkerTask<T>(entry: string, task: string, payload: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const data: TaskData = { likewiseTask: task, payload };
    const worker = new Worker(new URL(entry), { workerData: data });
    let settled = false;
    worker.once('message', (message: { ok: boolean; result?: T; error?: string }) => {
      settled = true;
      // Settle once the worker is gone: its handles on shared memory (the
      // log, a matrix) keep those buffers alive until then, and the caller
      // usually drops its own right after this resolves.
      const settle = () => {
        if (message.ok) resolve(message.result as T);
        else reject(new Error(message.error));
      };
      worker.terminate().then(settle, settle);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`worker for ${task} exited with code ${code}`));
    });
  });
}

/**
 * When this thread is a worker started by {@link runWorkerTask}, runs the
 * requested task from `tasks`, posts the result, and returns true; on the
 * main thread returns false and does nothing.
 */
export function serveWorkerTask(tasks: Record<string, WorkerTask>): boolean {
  const data = workerData as TaskData | undefined;
  if (isMainThread || !parentPort || typeof data?.likewiseTask !== 'string') return false;
  const port = parentPort;
  const task = tasks[data.likewiseTask];
  const run = task
    ? task(data.payload as never)
    : Promise.reject(new Error(`unknown worker task ${data.likewiseTask}`));
  run.then(
    ({ result, transfer }) => port.postMessage({ ok: true, result }, transfer ?? []),
    (error: unknown) =>
      port.postMessage({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
  return true;
}
