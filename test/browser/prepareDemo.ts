// Vitest global setup of the browser tests: the demo server generates and
// trains the demo shop when its data is missing or older than the build.
// Doing that once here, before the test files start two at a time, keeps two
// of them from writing examples/generated at once.
import { startDemo } from './harness';

export default async function prepareDemo(): Promise<void> {
  const demo = await startDemo();
  await demo.close();
}
