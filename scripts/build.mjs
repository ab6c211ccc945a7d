// `npm run build`: empties dist/, then runs rollup.config.mjs's builds in one
// rollup process per core (at most 2), each taking its share of the configs
// (LIKEWISE_BUILD_GROUP=k/n, read by rollup.config.mjs). Rollup builds one
// config after another, and minifying the script-tag core and its parts is
// most of the work: two processes halve the wall time on two cores. Each
// process prints what it builds as it goes; the end says how long it took.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const started = performance.now();
rmSync('dist', { recursive: true, force: true });
const n = Math.max(1, Math.min(2, availableParallelism()));
const codes = await Promise.all(
  Array.from(
    { length: n },
    (_, k) =>
      new Promise((done) => {
        const child = spawn(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c'], {
          stdio: 'inherit',
          env: { ...process.env, LIKEWISE_BUILD_GROUP: `${k}/${n}` },
        });
        child.on('close', done);
      }),
  ),
);
const failed = codes.find((c) => c !== 0);
if (failed !== undefined) {
  console.error('build failed');
  process.exit(failed || 1);
}
console.log(
  `built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s (${n} rollup process${n > 1 ? 'es' : ''})`,
);
