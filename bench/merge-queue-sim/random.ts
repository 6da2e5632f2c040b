// Random helpers for the merge-queue simulator. Everything derives from seededRandom (mulberry32),
// so one seed gives one trace on every machine.
import { seededRandom } from '../../src/core/seeded-random.js';

export type Rng = () => number;

/** A seed for an independent stream: the run's seed mixed with a stream key (a PR number, a tag). */
export function streamSeed(seed: number, key: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(key + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

export const stream = (seed: number, key: number): Rng => seededRandom(streamSeed(seed, key));

/** A standard normal draw (Box-Muller; two uniforms per draw, so the streams stay aligned). */
export function normal(rng: Rng): number {
  const u1 = Math.max(rng(), 1e-12);
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Lognormal with the given median and shape σ (σ 0 gives the median exactly). */
export const lognormal = (rng: Rng, median: number, sigma: number): number => median * Math.exp(sigma * normal(rng));

/** Exponential with the given mean. */
export const exponential = (rng: Rng, mean: number): number => -Math.log(1 - rng()) * mean;
