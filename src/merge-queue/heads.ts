// Looking things up by change head (number and head sha). The engine asks "which test, failure or
// blame is at this head?" of every open change at every sync; with hundreds of open changes a
// scan per question costs more than the rest of the plan, so the answers are indexed once.
import type { Pull } from './lineage.js';

interface Entry<T> {
  headSha: string;
  value: T;
  /** another head of the same change number (an older test may name an earlier head) */
  next: Entry<T> | undefined;
}

/** Values by head. The first value added for a head is the one kept, as Array.find would find it. */
export class HeadMap<T> {
  private readonly byNumber = new Map<number, Entry<T>>();

  /** Indexes `value` under `head`, unless the head already has a value. */
  add(head: Pull, value: T): void {
    const first = this.byNumber.get(head.number);
    if (!first) {
      this.byNumber.set(head.number, { headSha: head.headSha, value, next: undefined });
      return;
    }
    let entry = first;
    for (;;) {
      if (entry.headSha === head.headSha) return;
      if (!entry.next) break;
      entry = entry.next;
    }
    entry.next = { headSha: head.headSha, value, next: undefined };
  }

  get(head: Pull): T | undefined {
    for (let entry = this.byNumber.get(head.number); entry; entry = entry.next) {
      if (entry.headSha === head.headSha) return entry.value;
    }
    return undefined;
  }

  has(head: Pull): boolean {
    return this.get(head) !== undefined;
  }
}
