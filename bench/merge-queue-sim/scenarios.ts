// Workload scenarios of the mqsim proposal.

export interface Scenario {
  name: string;
  description: string;
  /** ready-to-merge PRs per hour */
  arrivalsPerHour: number;
  /** `poisson` (the benchmark) or `uniform` (exactly every 1/λ hours: closed-form checks) */
  arrivals: 'poisson' | 'uniform';
  /** CI duration: lognormal with this median (minutes) and shape σ */
  ciMedianMinutes: number;
  ciSigma: number;
  /** probability a PR is bad: it fails on any tree that contains it */
  pBad: number;
  /** probability a CI run of one PR fails spuriously */
  flake: number;
  /** flake growth with the tree's size (§2.3 #8): f_B = 1 − (1−f)^(1+α(B−1)) */
  flakeAlpha: number;
  /** C: concurrent CI runs the pool may use */
  runners: number;
  /** scopes a PR can touch (drawn, reported; without pairwise conflicts they change nothing) */
  scopes: number;
  syncPeriodSeconds: number;
  /** one forge merge call */
  mergeLatencySeconds: number;
  /** human model: a bad PR's author pushes a fix this long after the queue reports it (lognormal) */
  fixDelayMedianHours: number;
  /** human model: a good PR reported failing (flake, aborted run) is re-pushed after this long */
  repushDelayMedianHours: number;
  humanSigma: number;
  /** a maintainer takes a PR out of the queue after it has waited this long */
  valveHours: number;
}

const base: Omit<Scenario, 'name' | 'description' | 'arrivalsPerHour' | 'ciMedianMinutes' | 'pBad' | 'flake' | 'runners' | 'scopes'> = {
  arrivals: 'poisson',
  ciSigma: 0.3,
  flakeAlpha: 0.1,
  syncPeriodSeconds: 60,
  mergeLatencySeconds: 5,
  fixDelayMedianHours: 2,
  repushDelayMedianHours: 0.5,
  humanSigma: 0.5,
  valveHours: 24,
};

export const SCENARIOS: Record<string, Scenario> = {
  S1: {
    ...base,
    name: 'S1',
    description: 'small team',
    arrivalsPerHour: 2,
    ciMedianMinutes: 10,
    pBad: 0.05,
    flake: 0.02,
    runners: 4,
    scopes: 1,
  },
  S2: {
    ...base,
    name: 'S2',
    description: 'busy monorepo',
    arrivalsPerHour: 30,
    ciMedianMinutes: 30,
    pBad: 0.08,
    flake: 0.05,
    runners: 20,
    scopes: 5,
  },
  S3: {
    ...base,
    name: 'S3',
    description: 'slow CI (the Tide multi-hour case)',
    arrivalsPerHour: 6,
    ciMedianMinutes: 120,
    pBad: 0.1,
    flake: 0.1,
    runners: 10,
    scopes: 1,
  },
  S4: {
    ...base,
    name: 'S4',
    description: 'flaky storm (S2 with f .20)',
    arrivalsPerHour: 30,
    ciMedianMinutes: 30,
    pBad: 0.08,
    flake: 0.2,
    runners: 20,
    scopes: 5,
  },
  S6: {
    ...base,
    name: 'S6',
    description: 'high failure (S2 with p_bad .30)',
    arrivalsPerHour: 30,
    ciMedianMinutes: 30,
    pBad: 0.3,
    flake: 0.05,
    runners: 20,
    scopes: 5,
  },
};
