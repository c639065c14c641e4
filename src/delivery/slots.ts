/**
 * At most `size` holders at once, first come first served: the sends a sender can have under
 * way together (ChannelSender.concurrency). Each `take` gives a release, which frees the slot
 * once however often it is called.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, Math.floor(size));
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Handed straight to the next in line, or freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
