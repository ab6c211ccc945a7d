/**
 * How many cases each property test tries: a few hundred in `npm test`,
 * `LIKEWISE_FUZZ_RUNS` (bench/fuzz.mjs sets 10,000) in a benchmark-sized run.
 */
export const fuzzRuns = (inTest = 200): number => Number(process.env.LIKEWISE_FUZZ_RUNS) || inTest;
