// Tables for the merge-queue simulator's results.
import type { Scenario } from './scenarios.js';
import type { SimResult } from './simulate.js';
import { entropy } from './simulate.js';

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Hours as `1h05m` above an hour, `12.3m` below. */
export function duration(hours: number): string {
  if (!Number.isFinite(hours)) return '–';
  const minutes = hours * 60;
  if (minutes < 60) return `${minutes.toFixed(1)}m`;
  const h = Math.floor(minutes / 60);
  return `${h}h${String(Math.round(minutes - h * 60)).padStart(2, '0')}m`;
}

export function scenarioLine(sc: Scenario, batchSize: number, days: number, warmupDays: number, seed: number): string {
  return (
    `${sc.name} ${sc.description}: λ ${sc.arrivalsPerHour}/h, CI median ${sc.ciMedianMinutes} min (σ ${sc.ciSigma}), ` +
    `p_bad ${sc.pBad}, f ${sc.flake} (α ${sc.flakeAlpha}), C ${sc.runners}, scopes ${sc.scopes}, B_max ${batchSize}; ` +
    `${days} days, warm-up ${warmupDays} day, seed ${seed}`
  );
}

export function boundsLine(sc: Scenario, batchSize: number, results: SimResult[]): string {
  const r = results[0];
  if (!r) return '';
  const meanMinutes = sc.ciMedianMinutes * Math.exp((sc.ciSigma * sc.ciSigma) / 2);
  return (
    `bounds: arrival ${fixed(r.arrivalBound, 2)}/h (good content ready in the window); capacity ${fixed(r.capacityBound, 2)}/h ` +
    `= (C ${sc.runners} / E[T] ${meanMinutes.toFixed(1)} min) · (1−p) / max(H(p) ${entropy(sc.pBad).toFixed(3)}, 1/B ${(1 / batchSize).toFixed(3)}) · (1−f); ` +
    `binding: ${fixed(Math.min(r.arrivalBound, r.capacityBound), 2)}/h`
  );
}

export type Row = SimResult & { wallMs?: number; engineMs?: number };

const COLUMNS: Array<[string, (r: Row) => string]> = [
  ['policy', (r) => r.policy],
  ['merges/h', (r) => fixed(r.mergesPerHour, 2)],
  ['% cap', (r) => `${fixed((100 * r.mergesPerHour) / r.capacityBound, 1)}%`],
  ['% bound', (r) => `${fixed((100 * r.mergesPerHour) / Math.min(r.arrivalBound, r.capacityBound), 1)}%`],
  ['ready→merged p50', (r) => duration(r.latencyP50Hours)],
  ['p95', (r) => duration(r.latencyP95Hours)],
  ['runs/merge', (r) => fixed(r.runsPerMerge, 2)],
  ['runs line/screen/probe', (r) => `${r.runsByKind.line}/${r.runsByKind.screen}/${r.runsByKind.probe}`],
  ['CI-h/merge', (r) => fixed(r.ciHoursPerMerge, 2)],
  ['broken main', (r) => String(r.brokenMain)],
  ['valve', (r) => String(r.valveRemoved)],
  ['false rej.', (r) => String(r.falseRejections)],
  ['fixes', (r) => String(r.fixes)],
  ['depth mean/max', (r) => `${fixed(r.depthMean, 1)}/${r.depthMax}`],
  ['open at end', (r) => String(r.openAtEnd)],
  ['cancelled', (r) => String(r.cancelled)],
  ['anomalies', (r) => String(r.anomalies)],
  ['syncs (skipped)', (r) => `${r.syncs} (${r.skippedSyncs})`],
  [
    'wall (planPool)',
    (r) => (r.wallMs === undefined ? '–' : `${(r.wallMs / 1000).toFixed(2)} s (${((r.engineMs ?? 0) / 1000).toFixed(2)})`),
  ],
];

/** A markdown table, one row per policy. */
export function table(results: Row[]): string {
  const rows = results.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const header = COLUMNS.map(([name]) => name);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
