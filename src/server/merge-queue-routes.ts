// What the merge queue is doing, for people and scripts: `GET /api/v1/merge-queue` (JSON) and
// `GET /merge-queue` (a plain page), both built from each pool's record of its last sync.
import express, { type Router } from 'express';
import type { MergeQueue } from '../merge-queue/merge-queue.js';
import type { PoolRecord } from '../merge-queue/pool-store.js';
import { escapeHtml } from './html-page.js';

/** History entries shown per pool. */
const RECENT = 20;

const overview = (pool: string, record: PoolRecord) => ({
  pool,
  synced_at: record.view ? new Date(record.view.at).toISOString() : undefined,
  base_sha: record.view?.baseSha,
  members: record.view?.members ?? [],
  tests:
    record.view?.tests.map((t) => ({
      id: t.id,
      kind: t.kind ?? 'line',
      pulls: t.pulls,
      on_top_of: t.pulls.slice(0, t.prefix),
      state: t.state,
      started_at: new Date(t.startedAt).toISOString(),
    })) ?? [],
  blamed: record.memory.blamed.map((b) => ({
    number: b.number,
    head_sha: b.headSha,
    contexts: b.contexts,
    ...(b.reason ? { reason: b.reason } : {}),
  })),
  statuses: Object.fromEntries(
    Object.entries(record.written).map(([n, text]) => {
      const bar = text.indexOf('|');
      return [n, { state: text.slice(0, bar), description: text.slice(bar + 1) }];
    }),
  ),
  recent: record.history
    .slice(0, RECENT)
    .map((h) => ({ at: new Date(h.at).toISOString(), action: h.action, pulls: h.pulls, base_sha: h.baseSha, detail: h.detail })),
  ...(record.view?.error ? { error: record.view.error } : {}),
});

function page(pools: Array<ReturnType<typeof overview>>): string {
  const section = (p: ReturnType<typeof overview>) => `
<h2>${escapeHtml(p.pool)}</h2>
<p>Base ${escapeHtml(p.base_sha?.slice(0, 12) ?? '?')}, synced ${escapeHtml(p.synced_at ?? 'never')}.${p.error ? ` Last error: ${escapeHtml(p.error)}` : ''}</p>
<h3>Changes</h3>
<table><tr><th>#</th><th>state</th><th>why</th></tr>
${Object.entries(p.statuses)
  .map(([n, s]) => `<tr><td>#${escapeHtml(n)}</td><td>${escapeHtml(s.state)}</td><td>${escapeHtml(s.description)}</td></tr>`)
  .join('\n')}
</table>
<h3>Tests in flight</h3>
${p.tests.length === 0 ? '<p>None.</p>' : `<ul>${p.tests.map((t) => `<li>${escapeHtml(t.id)} (${escapeHtml(t.kind)}): ${t.pulls.map((n) => `#${n}`).join(' ')}${t.on_top_of.length ? ` (on top of ${t.on_top_of.map((n) => `#${n}`).join(' ')})` : ''}: ${escapeHtml(t.state)}</li>`).join('')}</ul>`}
<h3>Recent</h3>
${
  p.recent.length === 0
    ? '<p>Nothing yet.</p>'
    : `<table><tr><th>when</th><th>what</th><th>changes</th><th>detail</th></tr>
${p.recent.map((h) => `<tr><td>${escapeHtml(h.at)}</td><td>${escapeHtml(h.action)}</td><td>${h.pulls.map((n) => `#${n}`).join(' ')}</td><td>${escapeHtml(h.detail)}</td></tr>`).join('\n')}</table>`
}`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Merge queue</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}</style>
</head><body><h1>Merge queue</h1>
${pools.length === 0 ? '<p>No pool has been synced yet.</p>' : pools.map(section).join('\n')}
</body></html>
`;
}

export function mergeQueueRoutes(deps: { mergeQueue: MergeQueue }): Router {
  const router = express.Router();
  const all = async () => (await deps.mergeQueue.pools()).map(({ pool, record }) => overview(pool, record));
  router.get('/api/v1/merge-queue', async (_req, res) => {
    res.json({ pools: await all() });
  });
  router.get('/merge-queue', async (_req, res) => {
    res.type('html').send(page(await all()));
  });
  return router;
}
