// Without GitHub App credentials the server offers the registration pages (GitHub's manifest flow,
// at the paths Probot uses): /probot registers a new App from app.yml, pointed at this server;
// GitHub sends the browser back to /probot/setup with a one-time code, exchanged here for the App's
// credentials, which are saved in $DATA_DIR/.env and then taken into use without a restart.
// /probot/import takes the credentials of an App created by hand.

import { randomBytes } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import { Probot } from 'probot';
import { credentialsPath, saveCredentials, unwritableReason } from '../config/credentials-file.js';
import { EnvError, type Options, parsePrivateKey } from '../config/env.js';
import { ForgeOctokit } from '../forge/github/forge-octokit.js';
import { appManifest, createAppUrl, readManifestFile, requestBaseUrl, SETUP_PATHS } from './github-app-manifest.js';
import { GITHUB_WEBHOOK_PATH } from './github-webhook-route.js';
import { escapeHtml, htmlPage } from './html-page.js';

export interface GitHubSetupDeps {
  options: Options;
  log: Logger;
  /** takes the credentials just saved into use; rejects with the reason it could not */
  onRegistered?: () => Promise<void>;
}

/** What GitHub answers to POST /app-manifests/{code}/conversions (the fields used here). */
interface ManifestConversion {
  id: number;
  slug?: string;
  name: string;
  html_url: string;
  pem: string;
  webhook_secret: string;
  client_id?: string;
  client_secret?: string;
}

/** The states handed to GitHub with each manifest: a callback must bring one back (no forged codes). */
class IssuedStates {
  static readonly MAX = 100;
  readonly #states = new Set<string>();

  issue(): string {
    const state = randomBytes(16).toString('hex');
    this.#states.add(state);
    if (this.#states.size > IssuedStates.MAX) this.#states.delete(this.#states.values().next().value!);
    return state;
  }

  has(state: unknown): boolean {
    return typeof state === 'string' && this.#states.has(state);
  }

  delete(state: string): void {
    this.#states.delete(state);
  }
}

class SetupError extends Error {}

const CREDENTIAL_KEYS = ['APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET', 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'];

export function githubSetupRoutes({ options, log, onRegistered }: GitHubSetupDeps): Router {
  const router = express.Router();
  const states = new IssuedStates();
  /** one registration at a time, and none after one succeeded */
  let registration: 'open' | 'busy' | 'done' = 'open';
  const file = credentialsPath(options.dataDir);
  const base = (req: Request) => requestBaseUrl(req, options.publicUrl);
  const send = (res: express.Response, status: number, title: string, body: string) => {
    res
      .status(status)
      .type('html')
      .send(htmlPage(title, `<div class="card">${body}</div>`));
  };
  const startAgain = `<p><a class="btn btn-plain" href="${SETUP_PATHS.register}">Start again</a></p>`;
  unwritableFor(options.dataDir, log); // said at start, before anyone opens the page

  router.get(SETUP_PATHS.register, (req, res) => {
    const baseUrl = base(req);
    const unwritable = unwritableFor(options.dataDir, log);
    let manifest: Record<string, unknown> | undefined;
    let manifestError: string | undefined;
    try {
      manifest = appManifest(readManifestFile(), baseUrl);
    } catch (err) {
      manifestError = (err as Error).message;
      log.error(manifestError);
    }
    const events = Array.isArray(manifest?.default_events) ? (manifest.default_events as unknown[]).map(String) : [];
    const blocked = unwritable ?? manifestError;
    send(
      res,
      200,
      'Register the GitHub App',
      `
<h1>Register the GitHub App</h1>
<p>This server has no GitHub App credentials yet. <b>Register GitHub App</b> creates one on
<a href="${escapeHtml(options.githubWebUrl)}">${escapeHtml(new URL(options.githubWebUrl).host)}</a>${options.githubOrg ? `, owned by the organization <b>${escapeHtml(options.githubOrg)}</b>` : ', owned by your account'}, from <code>app.yml</code>:</p>
<dl>
<dt>Webhook URL</dt><dd><code>${escapeHtml(`${baseUrl}${GITHUB_WEBHOOK_PATH}`)}</code></dd>
<dt>Events</dt><dd>${escapeHtml(events.join(', ') || '(none)')}</dd>
<dt>Credentials</dt><dd>saved in <code>${escapeHtml(file)}</code> (mode 0600)</dd>
</dl>
${isLocal(baseUrl) ? `<div class="flash flash-warn">GitHub cannot deliver webhooks to <code>${escapeHtml(baseUrl)}</code>. Open this page at the address GitHub reaches, or set <code>PUBLIC_URL</code> to it.</div>` : ''}
${unwritable ? `<div class="flash flash-error"><b>Cannot save credentials.</b> ${escapeHtml(unwritable)}.<br>GitHub issues the App's private key once: fix this before registering. In Docker, mount a volume there (<code>docker run -v ci-orchestrator-data:/data ...</code>); elsewhere set <code>DATA_DIR</code> to a writable directory. Then reload this page.</div>` : ''}
${manifestError ? `<div class="flash flash-error"><b>No manifest.</b> ${escapeHtml(manifestError)}</div>` : ''}
<form method="post" action="${escapeHtml(createAppUrl(options.githubWebUrl, options.githubOrg, states.issue()))}">
<input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest ?? {}))}">
<p><button class="btn" type="submit"${blocked ? ' disabled' : ''}>Register GitHub App</button>
&nbsp; <a href="${SETUP_PATHS.import}">or use an existing GitHub App</a></p>
</form>
<p class="muted">GitHub asks you to confirm the App's name (it must be unique on GitHub), then sends you back here.</p>`,
    );
  });

  router.get(SETUP_PATHS.callback, async (req, res) => {
    const { code, state } = req.query;
    if (typeof code !== 'string' || !code)
      return send(
        res,
        400,
        'Registration',
        `<h1>No code from GitHub</h1><p>This page is where GitHub sends you back after registering the App, with a code.</p>${startAgain}`,
      );
    if (registration === 'done')
      return send(
        res,
        409,
        'Registration',
        `<h1>Already registered</h1><p>This server has saved a GitHub App's credentials already (<code>${escapeHtml(file)}</code>).</p>`,
      );
    if (!states.has(state)) {
      return send(
        res,
        400,
        'Registration',
        `<h1>Unknown registration</h1><p>This registration did not start on this server, or the server restarted since it did. GitHub may have created the App anyway: delete it in <a href="${escapeHtml(options.githubWebUrl)}/settings/apps">its settings</a>, or enter its credentials at <a href="${SETUP_PATHS.import}">${SETUP_PATHS.import}</a>.</p>${startAgain}`,
      );
    }
    if (registration === 'busy')
      return send(
        res,
        409,
        'Registration',
        "<h1>Registration in progress</h1><p>Another request is saving this App's credentials; reload this page in a moment.</p>",
      );
    // Before the code is spent: GitHub hands out the private key once.
    const unwritable = unwritableFor(options.dataDir, log);
    if (unwritable) {
      return send(
        res,
        503,
        'Registration',
        `<h1>Cannot save credentials</h1><div class="flash flash-error">${escapeHtml(unwritable)}.</div><p>GitHub's code has not been used: make the directory writable, then reload this page within the hour. (A restart forgets this registration: then delete the App GitHub created, in <a href="${escapeHtml(options.githubWebUrl)}/settings/apps">its settings</a>, and register again.)</p>`,
      );
    }
    registration = 'busy';
    let app: ManifestConversion;
    try {
      app = await convertManifestCode(options.githubApiUrl, code);
    } catch (err) {
      registration = 'open';
      log.warn({ err: (err as Error).message }, 'GitHub App registration: the code conversion failed');
      return send(
        res,
        502,
        'Registration',
        `<h1>GitHub did not issue the credentials</h1><div class="flash flash-error">${escapeHtml((err as Error).message)}</div>${startAgain}`,
      );
    }
    let saved: string;
    try {
      saved = saveCredentials(options.dataDir, {
        APP_ID: String(app.id),
        PRIVATE_KEY: parsePrivateKey(app.pem, 'the private key GitHub issued'),
        WEBHOOK_SECRET: app.webhook_secret,
        ...(app.client_id ? { GITHUB_CLIENT_ID: app.client_id } : {}),
        ...(app.client_secret ? { GITHUB_CLIENT_SECRET: app.client_secret } : {}),
      });
    } catch (err) {
      registration = 'open';
      log.error({ err: (err as Error).message, appId: app.id }, 'GitHub App registered, but its credentials could not be saved');
      return send(
        res,
        500,
        'Registration',
        `<h1>Registered, but not saved</h1><div class="flash flash-error">GitHub created the App <a href="${escapeHtml(app.html_url)}">${escapeHtml(app.name)}</a>, but its credentials could not be saved: ${escapeHtml((err as Error).message)}</div><p>Fix that, then in <a href="${escapeHtml(app.html_url)}">the App's settings</a> generate a new private key and set a new webhook secret, and enter them at <a href="${SETUP_PATHS.import}">${SETUP_PATHS.import}</a>.</p>`,
      );
    }
    states.delete(state as string);
    registration = 'done';
    log.info(
      { appId: app.id, app: app.slug ?? app.name, file: saved },
      `GitHub App "${app.name}" registered; credentials saved to ${saved}`,
    );
    const outcome = await takeIntoUse(saved);
    send(
      res,
      200,
      'GitHub App registered',
      `
<h1>GitHub App registered</h1>
<div class="flash flash-ok">The App <a href="${escapeHtml(app.html_url)}">${escapeHtml(app.name)}</a> (App ID ${app.id}) is registered. Its credentials are saved in <code>${escapeHtml(saved)}</code> (mode 0600), read at every start.</div>
${outcome}
<h2>Next: install the App</h2>
<p>Choose the repositories or organizations it serves; GitHub then sends their events to <code>${escapeHtml(`${base(req)}${GITHUB_WEBHOOK_PATH}`)}</code>.</p>
<p><a class="btn" href="${escapeHtml(`${app.html_url}/installations/new`)}">Install ${escapeHtml(app.name)}</a></p>
<p class="muted">Processes started with <code>ci-orchestrator worker</code> need the same credentials: give them this <code>DATA_DIR</code> (or the variables) and restart them.</p>`,
    );
  });

  router.get(SETUP_PATHS.import, (req, res) => {
    const unwritable = unwritableFor(options.dataDir, log);
    send(
      res,
      200,
      'Use an existing GitHub App',
      `
<h1>Use an existing GitHub App</h1>
<ol>
<li>In <a href="${escapeHtml(options.githubWebUrl)}/settings/apps" target="_blank" rel="noreferrer">the App's settings</a>, set the <b>Webhook URL</b> to<br><code>${escapeHtml(`${base(req)}${GITHUB_WEBHOOK_PATH}`)}</code><br>and set a <b>Webhook secret</b>. Generate a <b>private key</b> (a <code>.pem</code> file).</li>
<li>Enter them here; they are saved in <code>${escapeHtml(file)}</code> (mode 0600).</li>
</ol>
${unwritable ? `<div class="flash flash-error"><b>Cannot save credentials.</b> ${escapeHtml(unwritable)}. Set <code>DATA_DIR</code> to a writable directory (in Docker, mount a volume at /data), then reload this page.</div>` : ''}
<form id="import">
<input type="hidden" name="state" value="${states.issue()}">
<label for="appId">App ID</label><input type="text" id="appId" name="appId" required inputmode="numeric">
<label for="secret">Webhook secret</label><input type="password" id="secret" name="secret" required>
<label for="pem">Private key (.pem)</label><input type="file" id="pem" name="pem" accept=".pem" required>
<p><button class="btn" type="submit"${unwritable ? ' disabled' : ''}>Save and start</button></p>
</form>
<div id="result"></div>
<script>
document.getElementById('import').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const result = document.getElementById('result');
  const show = (kind, text, link) => {
    result.className = 'flash flash-' + kind;
    result.textContent = text;
    if (link) { const a = document.createElement('a'); a.href = link; a.textContent = ' Install the App'; result.append(a); }
  };
  try {
    const pem = await form.pem.files[0].text();
    const response = await fetch('${SETUP_PATHS.import}', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: form.state.value, appId: form.appId.value.trim(), webhook_secret: form.secret.value, pem }) });
    const answer = await response.json();
    show(response.ok ? 'ok' : 'error', answer.message || answer.error, answer.install_url);
  } catch (err) { show('error', String(err)); }
});
</script>`,
    );
  });

  router.post(SETUP_PATHS.import, express.json({ limit: '64kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fail = (status: number, error: string) => void res.status(status).json({ error });
    if (!req.is('application/json')) return fail(415, 'send JSON: { state, appId, webhook_secret, pem }');
    if (!states.has(body.state))
      return fail(400, 'this form did not come from this server, or the server restarted since: reload the page');
    if (registration !== 'open')
      return fail(409, registration === 'done' ? 'a GitHub App is configured already' : 'a registration is in progress');
    const appId = String(body.appId ?? '').trim();
    if (!/^\d+$/.test(appId)) return fail(400, "the App ID is the number on the App's settings page");
    if (typeof body.webhook_secret !== 'string' || !body.webhook_secret)
      return fail(400, 'the webhook secret is required: the server accepts no unsigned webhooks');
    const unwritable = unwritableFor(options.dataDir, log);
    if (unwritable) return fail(503, unwritable);
    registration = 'busy';
    try {
      const pem = parsePrivateKey(typeof body.pem === 'string' ? body.pem : '', 'the private key');
      const installUrl = await checkAppCredentials(options.githubApiUrl, appId, pem, log);
      const saved = saveCredentials(options.dataDir, { APP_ID: appId, PRIVATE_KEY: pem, WEBHOOK_SECRET: body.webhook_secret });
      states.delete(body.state as string);
      registration = 'done';
      log.info({ appId, file: saved }, `GitHub App ${appId} imported; credentials saved to ${saved}`);
      const reloadError = await reload();
      res.json({
        message: `Saved in ${saved}. ${reloadError ? `The server could not start with them (${reloadError}): fix that and restart it.` : 'The server is using them now.'} Next: install the App on your repositories.`,
        install_url: installUrl,
      });
    } catch (err) {
      registration = 'open';
      if (err instanceof EnvError || err instanceof SetupError) return fail(400, err.message);
      log.error({ err: (err as Error).message }, 'GitHub App import failed');
      return fail(500, (err as Error).message);
    }
  });

  /** undefined once the server runs with the new credentials, else why it does not */
  async function reload(): Promise<string | undefined> {
    const overridden = CREDENTIAL_KEYS.filter((key) => process.env[key] !== undefined);
    if (overridden.length > 0)
      log.warn(
        `${overridden.join(', ')} ${overridden.length === 1 ? 'is' : 'are'} set in the environment and win${overridden.length === 1 ? 's' : ''} over ${file}: unset ${overridden.length === 1 ? 'it' : 'them'}`,
      );
    if (!onRegistered) return 'restart the server to use them';
    try {
      await onRegistered();
      return undefined;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not start with the new GitHub App credentials');
      return (err as Error).message;
    }
  }

  async function takeIntoUse(saved: string): Promise<string> {
    const error = await reload();
    return error
      ? `<div class="flash flash-error">The server could not start with them: ${escapeHtml(error)}. Fix that and restart the server; it reads <code>${escapeHtml(saved)}</code> at start.</div>`
      : '<p>The server is using them now: no restart needed.</p>';
  }

  return router;
}

/** Logs a warning the first time a directory is found unwritable, and says why. */
const warned = new Set<string>();
function unwritableFor(dir: string, log: Logger): string | undefined {
  const reason = unwritableReason(dir);
  if (reason && !warned.has(dir)) {
    warned.add(dir);
    log.warn(
      `${reason}: the GitHub App registration at ${SETUP_PATHS.register} cannot save credentials (set DATA_DIR to a writable directory)`,
    );
  }
  return reason;
}

const isLocal = (baseUrl: string) => /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(new URL(baseUrl).hostname);

/** Exchanges the manifest flow's code for the new App's credentials (the code works once, for an hour). */
async function convertManifestCode(apiUrl: string, code: string): Promise<ManifestConversion> {
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/app-manifests/${encodeURIComponent(code)}/conversions`, {
      method: 'POST',
      headers: { accept: 'application/vnd.github+json', 'user-agent': 'ci-orchestrator', 'x-github-api-version': '2022-11-28' },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new SetupError(`could not reach ${apiUrl}: ${(err as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as Partial<ManifestConversion> & { message?: string };
  if (response.status === 404) throw new SetupError('GitHub does not know this code: it works once, for an hour. Register again.');
  if (!response.ok) throw new SetupError(`GitHub answered ${response.status}: ${body.message ?? response.statusText}`);
  if (typeof body.id !== 'number' || typeof body.pem !== 'string' || typeof body.html_url !== 'string') {
    throw new SetupError("GitHub's answer lacks the App's id, private key or address");
  }
  if (typeof body.webhook_secret !== 'string' || !body.webhook_secret) {
    throw new SetupError(
      "GitHub issued no webhook secret (is the webhook inactive?): set one in the App's settings and enter the credentials at /probot/import",
    );
  }
  return body as ManifestConversion;
}

/** Asks GitHub who the App is, as the App: a wrong App ID or key is refused here, not at every event. */
async function checkAppCredentials(apiUrl: string, appId: string, privateKey: string, log: Logger): Promise<string | undefined> {
  const probot = new Probot({ Octokit: ForgeOctokit, appId, privateKey, baseUrl: apiUrl, log: log.child({ name: 'probot' }) });
  try {
    const octokit = await probot.auth();
    const { data } = await octokit.request('GET /app');
    return data?.html_url ? `${data.html_url}/installations/new` : undefined;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 401 || status === 404)
      throw new SetupError(`GitHub refused App ID ${appId} with this private key (${status}): check both`);
    throw new SetupError(`could not check the credentials with GitHub: ${(err as Error).message}`);
  }
}
