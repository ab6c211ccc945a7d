/**
 * The tuner as `likewise eval --tune` and `likewise train --tune` run it:
 * every candidate printed as it is scored, then the winner, with the wall
 * and CPU time it took.
 */

import { describeConfig, type ModelConfig, type TunedCandidate, tune } from '../engine/tune';
import type { InteractionLog } from '../engine/types';
import type { CliIo } from './types';

/** What {@link runTuner} returns. */
export interface TunerRun {
  config: ModelConfig;
  /** Candidates scored. */
  candidates: number;
  /** Wall and CPU time of the search, in ms. */
  ms: number;
  cpuMs: number;
}

const row = (c: TunedCandidate, mark = ' '): string =>
  `${mark} ${c.metrics.hr10.toFixed(4).padStart(7)}${c.metrics.ndcg10.toFixed(4).padStart(9)}  ${c.step.padEnd(20)}${describeConfig(c.config)}\n`;

/**
 * Tunes on `log`, printing each candidate's validation HR@10 and NDCG@10 to
 * `out`, then the winner and the time taken.
 *
 * @example const { config } = runTuner(log, io.stdout);
 */
export function runTuner(log: InteractionLog, out: CliIo['stdout']): TunerRun {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  out.write(
    "tuning on a validation split of the training part (each user's second-to-last item):\n" +
      `  ${'HR@10'.padStart(7)}${'NDCG@10'.padStart(9)}  ${'step'.padEnd(20)}configuration\n`,
  );
  const result = tune(log, { onCandidate: (c) => out.write(row(c)) });
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - wall;
  const cpuMs = (used.user + used.system) / 1000;
  const best = result.candidates.find((c) => c.config === result.config);
  if (best) out.write(row(best, '*'));
  out.write(
    `tuned on ${result.users} validation users: ${result.candidates.length} candidates in ${(ms / 1000).toFixed(1)} s (CPU ${(cpuMs / 1000).toFixed(1)} s)${result.stoppedEarly ? ', stopped at the time budget' : ''}; winner: ${describeConfig(result.config)}\n`,
  );
  return { config: result.config, candidates: result.candidates.length, ms, cpuMs };
}
