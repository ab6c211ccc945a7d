/**
 * Resolves in a later task (a message to itself, which timers do not delay
 * or clamp), letting the page run in between: long work goes in slices, each
 * its own short task.
 *
 * @example for (const slice of slices) { work(slice); await nextTask(); }
 */
export const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });
