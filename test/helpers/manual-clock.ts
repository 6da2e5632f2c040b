// A clock that moves only when the test says so, for code that takes `now()` and `sleep(ms)`: the
// test sees exactly which waits were asked for and decides when each ends, so no assertion depends
// on how fast the machine is. With `autoAdvance`, every sleep ends at once and moves the time on
// by its length (for code that waits one thing at a time).

interface Sleeper {
  at: number;
  wake(): void;
}

export class ManualClock {
  #now: number;
  #sleepers: Sleeper[] = [];
  readonly #autoAdvance: boolean;
  /** every sleep asked for (ms), in order */
  readonly sleeps: number[] = [];

  constructor(options: { start?: number; autoAdvance?: boolean } = {}) {
    this.#now = options.start ?? 0;
    this.#autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    if (this.#autoAdvance) {
      this.#now += ms;
      return Promise.resolve();
    }
    return new Promise((wake) => this.#sleepers.push({ at: this.#now + ms, wake }));
  }

  /** When the pending sleeps end, earliest first. */
  pending(): number[] {
    return this.#sleepers.map((s) => s.at).sort((a, b) => a - b);
  }

  /** Moves the time to `at` and wakes every sleep that ends by then. */
  advanceTo(at: number): void {
    if (at < this.#now) throw new Error(`the clock does not go back (${at} < ${this.#now})`);
    this.#now = at;
    const due = this.#sleepers.filter((s) => s.at <= at);
    this.#sleepers = this.#sleepers.filter((s) => s.at > at);
    for (const sleeper of due) sleeper.wake();
  }
}
