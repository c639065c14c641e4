/**
 * When every row of a claimed batch has had its turn with the pacer (booked, put back for
 * later, sending unpaced, or ended): from then on the batch needs nothing more of the pacer's
 * order, and the lane may claim its next batch (dispatcher.ts `drainLane`, the prefetch).
 */
export class Turns {
  readonly all: Promise<number>;
  private resolve!: (rows: number) => void;
  private rows = 0;
  private left = Number.POSITIVE_INFINITY;

  constructor() {
    this.all = new Promise((resolve) => (this.resolve = resolve));
  }

  /** The claim took `rows`. */
  claimed(rows: number): void {
    this.rows = rows;
    this.left = rows;
    if (rows === 0) this.resolve(0);
  }

  /** One row's signal: the first call counts, later ones do nothing. */
  once(): () => void {
    let had = false;
    return () => {
      if (had) return;
      had = true;
      if (--this.left <= 0) this.resolve(this.rows);
    };
  }

  /** The batch ended (or failed before its rows had their turns): nothing is waited for any more. */
  ended(rows = this.rows): void {
    this.resolve(rows);
  }
}
