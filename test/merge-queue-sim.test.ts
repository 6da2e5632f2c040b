import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCENARIOS, type Scenario } from '../bench/merge-queue-sim/scenarios.js';
import { capacityBound, type Engine, entropy, simulate } from '../bench/merge-queue-sim/simulate.js';
import { planPool, recordMerge } from '../src/merge-queue/plan.js';

const engine: Engine = { planPool, recordMerge };
const S1 = SCENARIOS.S1!;

describe('merge-queue simulator', () => {
  it('gives identical metrics for the same seed, and a different trace for another seed', () => {
    const run = (seed: number) => simulate({ scenario: S1, policy: 'ours', seed, days: 2, warmupDays: 0.5, batchSize: 8, engine });
    const a = run(7);
    const b = run(7);
    assert.deepEqual(a, b);
    assert.ok(a.merged > 0);
    const c = run(8);
    assert.notDeepEqual({ ...c, seed: 7 }, a);
  });

  it('no failures, fixed CI, spaced arrivals: every policy merges each PR one CI duration (plus sync and merge latency) after it is ready', () => {
    const ciMinutes = 10;
    const quiet: Scenario = {
      ...S1,
      name: 'closed-form',
      arrivals: 'uniform',
      arrivalsPerHour: 0.5,
      ciMedianMinutes: ciMinutes,
      ciSigma: 0,
      pBad: 0,
      flake: 0,
    };
    for (const policy of ['serial', 'tide', 'ours'] as const) {
      const r = simulate({ scenario: quiet, policy, seed: 1, days: 1, warmupDays: 0, batchSize: 8, engine });
      // arrivals every 2 h from t = 2 h: 11 before the 24 h horizon, the last one merges at about 22h10m
      assert.equal(r.arrivals, 11);
      assert.equal(r.merged, 11, policy);
      assert.equal(r.runsPerMerge, 1);
      assert.equal(r.brokenMain, 0);
      assert.equal(r.valveRemoved, 0);
      assert.equal(r.falseRejections, 0);
      assert.equal(r.cancelled, 0);
      assert.equal(r.anomalies, 0);
      const lower = (ciMinutes * 60 + quiet.mergeLatencySeconds) / 3600;
      const upper = (ciMinutes * 60 + 3 * quiet.syncPeriodSeconds + quiet.mergeLatencySeconds) / 3600;
      for (const latency of [r.latencyP50Hours, r.latencyP95Hours, r.latencyMeanHours]) {
        assert.ok(
          latency >= lower - 1e-9 && latency <= upper,
          `ready→merged ${(latency * 60).toFixed(2)} min, expected ${ciMinutes} min + sync/merge latency`,
        );
      }
      assert.ok(Math.abs(r.ciHoursPerMerge - ciMinutes / 60) < 1e-9);
    }
  });

  it('serial with Poisson arrivals and a fixed CI time waits like an M/D/1 queue (Pollaczek–Khinchine)', () => {
    const scenario: Scenario = { ...S1, arrivalsPerHour: 3, ciMedianMinutes: 10, ciSigma: 0, pBad: 0, flake: 0 };
    const r = simulate({ scenario, policy: 'serial', seed: 1, days: 7, warmupDays: 1, batchSize: 8, engine });
    // service D = CI + one merge call; an arrival at an idle queue also waits for the next sync (30 s on average)
    const D = (10 * 60 + scenario.mergeLatencySeconds) / 3600;
    const rho = scenario.arrivalsPerHour * D;
    const expected = D + (rho * D) / (2 * (1 - rho)) + (1 - rho) * (scenario.syncPeriodSeconds / 2 / 3600);
    assert.ok(
      Math.abs(r.latencyMeanHours / expected - 1) < 0.2,
      `mean wait ${(r.latencyMeanHours * 60).toFixed(1)} min, M/D/1 ${(expected * 60).toFixed(1)} min`,
    );
    assert.ok(Math.abs(r.runsPerMerge - 1) < 0.01);
    assert.equal(r.brokenMain, 0);
  });

  it('never breaks main under tide or ours, even with many bad PRs and flakes', () => {
    const harsh: Scenario = { ...S1, arrivalsPerHour: 4, pBad: 0.3, flake: 0.1 };
    for (const policy of ['tide', 'ours'] as const) {
      const r = simulate({ scenario: harsh, policy, seed: 3, days: 1.5, warmupDays: 0.5, batchSize: 4, engine });
      assert.equal(r.brokenMain, 0, policy);
      assert.ok(r.merged > 0, policy);
      assert.ok(r.fixes > 0, `${policy}: bad PRs are reported and fixed`);
    }
  });

  it('prints the §4.4 capacity bound and the §2.3 entropy values', () => {
    assert.equal(entropy(0.02).toFixed(2), '0.14');
    assert.equal(entropy(0.05).toFixed(2), '0.29');
    assert.equal(entropy(0.3).toFixed(2), '0.88');
    // S2: (20 / (30 min · e^{0.045}) per hour) · 0.92 / H(0.08) · 0.95
    assert.ok(Math.abs(capacityBound(SCENARIOS.S2!, 8) - 83.1) < 0.1);
    // with p ≈ 0 the batch size limits: C/E[T] · B_max
    assert.ok(Math.abs(capacityBound({ ...S1, pBad: 0, flake: 0, ciSigma: 0 }, 8) - (4 / (10 / 60)) * 8) < 1e-9);
  });
});
