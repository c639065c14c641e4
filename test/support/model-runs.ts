import fc from 'fast-check';

/**
 * How the model-based suites choose their runs, and how they report them. Each suite has a
 * number of runs it aims for, but stops starting new ones after a time budget per database
 * (MODEL_BUDGET_S, default 12 s), so that the five suites on two databases stay within three
 * minutes in CI however busy the machine is. The seed and the runs actually made are printed;
 * MODEL_SEED with MODEL_RUNS repeats a run exactly (no budget then). The older names FC_SEED
 * and FC_RUNS work too.
 */
export interface ModelRuns {
  seed: number;
  numRuns: number;
  budgetMs: number | undefined;
}

export function modelRuns(defaultRuns: number): ModelRuns {
  const seed = process.env.MODEL_SEED ?? process.env.FC_SEED;
  const runs = process.env.MODEL_RUNS ?? process.env.FC_RUNS;
  return {
    seed: seed ? Number(seed) : Date.now() % 2 ** 31,
    numRuns: runs ? Number(runs) : defaultRuns,
    budgetMs: runs ? undefined : Number(process.env.MODEL_BUDGET_S ?? 12) * 1000,
  };
}

/**
 * Checks `predicate` on values of `arbitrary` for `runs`, prints what ran, and fails with
 * fast-check's report (seed, path, counterexample). Once the budget is spent the remaining runs
 * return at once without doing anything: a run under way is never cut short (it may be in the
 * middle of its database writes), and a repeat with the printed MODEL_RUNS does the same runs.
 */
export async function checkModel<T>(name: string, arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<unknown>, runs: ModelRuns): Promise<void> {
  const started = Date.now();
  let made = 0;
  let budgetEnded = false;
  const property = fc.asyncProperty(arbitrary, async (value) => {
    if (runs.budgetMs !== undefined && Date.now() - started >= runs.budgetMs && made > 0) return void (budgetEnded = true);
    made++;
    await predicate(value);
  });
  const details = await fc.check(property, { seed: runs.seed, numRuns: runs.numRuns, endOnFailure: true });
  console.log(
    `${name}: seed ${runs.seed}, ${made} of ${runs.numRuns} runs in ${((Date.now() - started) / 1000).toFixed(1)} s` +
      `${budgetEnded ? ' (the time budget ended it)' : ''}; repeat with MODEL_SEED=${runs.seed} MODEL_RUNS=${made}`,
  );
  // The failing run's own error too (which check, what differed): the report names only the value.
  const why = details.errorInstance instanceof Error ? `\n${details.errorInstance.message}` : '';
  if (details.failed) throw new Error(`${name}: failed at run ${made} of seed ${runs.seed} (MODEL_SEED=${runs.seed} MODEL_RUNS=${made} repeats it)\n${fc.defaultReportMessage(details) ?? ''}${why}`);
}
