// The run store of the embedded mode: one process, nothing survives a restart. Finished runs
// beyond MAX_RUNS are forgotten, oldest first, so memory stays bounded.
import type { RepoRef } from '../forge/types.js';
import { type RunRecord, slotKey } from './run-record.js';
import { changeIndexKey, MAX_LOG_BYTES, type RunStore, type RunUpdate } from './run-store.js';

const MAX_RUNS = 10_000;

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, RunRecord>();
  readonly #active = new Map<string, string>();
  readonly #byChange = new Map<string, Set<string>>();
  readonly #slots = new Map<string, Map<string, number>>();
  readonly #external = new Map<string, string>();
  readonly #logs = new Map<string, string>();

  async create(run: RunRecord): Promise<{ created: true } | { created: false; existing: string }> {
    const existing = this.#active.get(run.activeKey);
    if (existing) return { created: false, existing };
    this.#active.set(run.activeKey, run.id);
    this.#runs.set(run.id, structuredClone(run));
    if (run.change !== undefined) {
      const key = changeIndexKey(run.repo, run.change);
      this.#byChange.set(key, (this.#byChange.get(key) ?? new Set()).add(run.id));
    }
    this.#forgetOld();
    return { created: true };
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const run = this.#runs.get(id);
    return run && structuredClone(run);
  }

  async getMany(ids: readonly string[]): Promise<Array<RunRecord | undefined>> {
    return ids.map((id) => {
      const run = this.#runs.get(id);
      return run && structuredClone(run);
    });
  }

  async update(id: string, mutate: (run: RunRecord) => RunRecord | undefined): Promise<RunUpdate | undefined> {
    const before = this.#runs.get(id);
    if (!before) return undefined;
    const mutated = mutate(structuredClone(before));
    if (!mutated) return { before: structuredClone(before), after: structuredClone(before), changed: false };
    const after = { ...mutated, version: before.version + 1, updatedAt: Date.now() };
    this.#runs.set(id, structuredClone(after));
    return { before: structuredClone(before), after, changed: true };
  }

  async finish(run: RunRecord): Promise<void> {
    if (this.#active.get(run.activeKey) === run.id) this.#active.delete(run.activeKey);
    if (run.change !== undefined) this.#byChange.get(changeIndexKey(run.repo, run.change))?.delete(run.id);
    this.#slots.get(slotKey(run))?.delete(run.id);
  }

  async unfinishedForChange(repo: RepoRef, change: number): Promise<string[]> {
    return [...(this.#byChange.get(changeIndexKey(repo, change)) ?? [])];
  }

  async acquireSlot(key: string, max: number, runId: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const slots = this.#slots.get(key) ?? new Map<string, number>();
    this.#slots.set(key, slots);
    for (const [id, expiry] of slots) if (expiry <= now) slots.delete(id);
    if (!slots.has(runId) && slots.size >= max) return false;
    slots.set(runId, now + ttlMs);
    return true;
  }

  async releaseSlot(key: string, runId: string): Promise<void> {
    this.#slots.get(key)?.delete(runId);
  }

  async linkExternal(system: string, externalId: string, runId: string): Promise<void> {
    this.#external.set(`${system}/${externalId}`, runId);
  }

  async findExternal(system: string, externalId: string): Promise<string | undefined> {
    return this.#external.get(`${system}/${externalId}`);
  }

  async appendLog(id: string, text: string): Promise<void> {
    const log = (this.#logs.get(id) ?? '') + text;
    this.#logs.set(id, log.length > MAX_LOG_BYTES ? log.slice(log.length - MAX_LOG_BYTES) : log);
  }

  async readLog(id: string): Promise<string | undefined> {
    return this.#logs.get(id);
  }

  async close(): Promise<void> {}

  /** Drops the oldest finished runs beyond MAX_RUNS (Maps iterate in insertion order). */
  #forgetOld(): void {
    if (this.#runs.size <= MAX_RUNS) return;
    for (const [id, run] of this.#runs) {
      if (this.#runs.size <= MAX_RUNS) break;
      if (this.#active.get(run.activeKey) === id) continue;
      this.#runs.delete(id);
      this.#logs.delete(id);
    }
    for (const [key, id] of this.#external) if (!this.#runs.has(id)) this.#external.delete(key);
  }
}
