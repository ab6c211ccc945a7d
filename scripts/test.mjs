// `npm test`: lint; then the type check beside the build (neither needs the
// other, and each leaves a core idle on a 2-core machine); then the unit
// tests and the real-browser tests, both on that one build. Stops at the first
// step that fails and says how long each took.
import { spawn } from 'node:child_process';

const bin = (name) => `node_modules/.bin/${name}`;
const STEPS = [
  [['lint', bin('biome'), ['check', '.']]],
  [
    // Its output waits until it ends, so it does not cut into the build's lines.
    ['typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { quiet: true }],
    ['build', 'npm', ['run', '--silent', 'build']],
  ],
  [['unit tests', bin('vitest'), ['run']]],
  [['browser tests', process.execPath, ['test/browser/run.mjs']]],
];

/** Runs one command; resolves with its exit code and how long it took. */
function run([name, command, args, { quiet = false } = {}]) {
  const started = performance.now();
  console.log(`\n> ${name}: ${command} ${args.join(' ')}`);
  const child = spawn(command, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  const held = [];
  child.stdout?.on('data', (d) => held.push(d));
  child.stderr?.on('data', (d) => held.push(d));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (held.length) process.stdout.write(Buffer.concat(held));
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `< ${name}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`,
      );
      resolve({ name, code, seconds });
    });
  });
}

const started = performance.now();
const done = [];
for (const group of STEPS) {
  const results = await Promise.all(group.map(run));
  done.push(...results);
  const failed = results.find((r) => r.code !== 0);
  if (failed) {
    console.error(`\nnpm test failed at: ${failed.name}`);
    process.exit(failed.code || 1);
  }
}
const total = (performance.now() - started) / 1000;
console.log(
  `\nnpm test passed in ${total.toFixed(0)} s (${done.map((r) => `${r.name} ${r.seconds.toFixed(0)} s`).join(', ')})`,
);
