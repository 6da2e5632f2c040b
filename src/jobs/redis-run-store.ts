// The run store on Redis, shared by every process of a deployment. A run is a hash {v: version,
// json: record}; updates are optimistic (compare the version, set, else re-read and retry) so the
// mutation logic stays in TypeScript and concurrent callbacks from several processes cannot lose
// one another's changes.
import type { Redis } from 'ioredis';
import type { RepoRef } from '../forge/types.js';
import { type RunRecord, slotKey } from './run-record.js';
import { changeIndexKey, MAX_LOG_BYTES, RUN_RETENTION_SECONDS, type RunStore, type RunUpdate } from './run-store.js';

/** The active key outlives a run that never reports by this much beyond its timeout. */
const ACTIVE_GRACE_SECONDS = 3600;
const MAX_UPDATE_TRIES = 20;

// KEYS: active, run, changeIndex (or ""); ARGV: id, version, json, activeTtl, retention
const CREATE = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('HSET', KEYS[2], 'v', ARGV[2], 'json', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[5])
if KEYS[3] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end
return false`;

// KEYS: run; ARGV: expected version, new version, json
const COMPARE_AND_SET = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[3])
return 1`;

// KEYS: active, changeIndex (or ""), slots; ARGV: id
const FINISH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if KEYS[2] ~= '' then redis.call('SREM', KEYS[2], ARGV[1]) end
redis.call('ZREM', KEYS[3], ARGV[1])
return 1`;

// KEYS: slots; ARGV: id, max, now, expiry
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(ARGV[4]) - tonumber(ARGV[3])))
  return 1
end
return 0`;

// KEYS: log; ARGV: text, max, retention
const APPEND_LOG = `
local len = redis.call('APPEND', KEYS[1], ARGV[1])
if len > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], redis.call('GETRANGE', KEYS[1], len - tonumber(ARGV[2]), -1))
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return len`;

export class RedisRunStore implements RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  #key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async create(run: RunRecord): Promise<{ created: true } | { created: false; existing: string }> {
    const existing = (await this.redis.eval(
      CREATE,
      3,
      this.#key('active', run.activeKey),
      this.#key('run', run.id),
      run.change === undefined ? '' : this.#key('change', changeIndexKey(run.repo, run.change)),
      run.id,
      String(run.version),
      JSON.stringify(run),
      String(run.timeoutSeconds + ACTIVE_GRACE_SECONDS),
      String(RUN_RETENTION_SECONDS),
    )) as string | null;
    return existing ? { created: false, existing } : { created: true };
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const json = await this.redis.hget(this.#key('run', id), 'json');
    return json ? (JSON.parse(json) as RunRecord) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Array<RunRecord | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.#key('run', id), 'json');
    const replies = (await pipeline.exec()) ?? [];
    return ids.map((id, i) => {
      const [err, json] = replies[i] ?? [new Error(`run ${id}: no reply`), null];
      if (err) throw err;
      return typeof json === 'string' ? (JSON.parse(json) as RunRecord) : undefined;
    });
  }

  async update(id: string, mutate: (run: RunRecord) => RunRecord | undefined): Promise<RunUpdate | undefined> {
    for (let i = 0; i < MAX_UPDATE_TRIES; i++) {
      const before = await this.get(id);
      if (!before) return undefined;
      const mutated = mutate(structuredClone(before));
      if (!mutated) return { before, after: before, changed: false };
      const after = { ...mutated, version: before.version + 1, updatedAt: Date.now() };
      const set = await this.redis.eval(
        COMPARE_AND_SET,
        1,
        this.#key('run', id),
        String(before.version),
        String(after.version),
        JSON.stringify(after),
      );
      if (set === 1) return { before, after, changed: true };
    }
    throw new Error(`run ${id}: too many concurrent updates`);
  }

  async finish(run: RunRecord): Promise<void> {
    await this.redis.eval(
      FINISH,
      3,
      this.#key('active', run.activeKey),
      run.change === undefined ? '' : this.#key('change', changeIndexKey(run.repo, run.change)),
      this.#key('slots', slotKey(run)),
      run.id,
    );
  }

  unfinishedForChange(repo: RepoRef, change: number): Promise<string[]> {
    return this.redis.smembers(this.#key('change', changeIndexKey(repo, change)));
  }

  async acquireSlot(key: string, max: number, runId: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return (await this.redis.eval(ACQUIRE, 1, this.#key('slots', key), runId, String(max), String(now), String(now + ttlMs))) === 1;
  }

  async releaseSlot(key: string, runId: string): Promise<void> {
    await this.redis.zrem(this.#key('slots', key), runId);
  }

  async linkExternal(system: string, externalId: string, runId: string): Promise<void> {
    await this.redis.set(this.#key('external', system, externalId), runId, 'EX', RUN_RETENTION_SECONDS);
  }

  async findExternal(system: string, externalId: string): Promise<string | undefined> {
    return (await this.redis.get(this.#key('external', system, externalId))) ?? undefined;
  }

  async appendLog(id: string, text: string): Promise<void> {
    await this.redis.eval(APPEND_LOG, 1, this.#key('log', id), text, String(MAX_LOG_BYTES), String(RUN_RETENTION_SECONDS));
  }

  async readLog(id: string): Promise<string | undefined> {
    return (await this.redis.get(this.#key('log', id))) ?? undefined;
  }

  async close(): Promise<void> {}
}
