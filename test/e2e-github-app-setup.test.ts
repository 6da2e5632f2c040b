// End to end: the one-click GitHub App registration. The real server (`npm start`) starts without
// credentials; the fake GitHub (GHE_HOST) plays github.com's part of the manifest flow: the browser
// posts the manifest from /probot to it, it redirects back with a code, the server exchanges the code
// for the App's credentials, saves them in DATA_DIR and uses them; signed webhooks then work, and
// after a restart too. The fake checks the App's JWTs against the key it issued.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import { ForgeState } from './fakes/forge-state.js';
import { startGitHubApi } from './fakes/github-api.js';
import { type ServerProcess, startServerProcess, testPrivateKey, waitFor } from './helpers/server-process.js';
import { githubPrComment, postGitHub, signGitHub } from './helpers/webhooks.js';

const HOLD = 'do-not-merge/hold';

/** What the browser would post: the form's action and its manifest field. */
function registrationForm(html: string): { action: string; manifest: string; disabled: boolean } {
  const unescapeHtml = (text: string) => text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  const manifest = /<input type="hidden" name="manifest" value="([^"]*)">/.exec(html)?.[1];
  assert.ok(action && manifest !== undefined, 'the page has the registration form');
  return {
    action: unescapeHtml(action),
    manifest: unescapeHtml(manifest),
    disabled: /<button class="btn" type="submit" disabled>/.test(html),
  };
}

/** Posts the manifest to the fake GitHub as the browser does, and returns where GitHub sends it back. */
async function registerOnGitHub(form: { action: string; manifest: string }): Promise<string> {
  const res = await fetch(form.action, { method: 'POST', body: new URLSearchParams({ manifest: form.manifest }), redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  return res.headers.get('location')!;
}

describe('e2e: registering the GitHub App from /probot, then using it', () => {
  const github = new ForgeState();
  let api: { url: string; close(): Promise<void> };
  let bot: ServerProcess;
  let env: Record<string, string>;
  let dataDir: string;

  before(async () => {
    github.addChange('acme/widgets', { number: 7, author: 'alice' });
    api = await startGitHubApi(github);
    dataDir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-data-'));
    const configDir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-setup-'));
    writeFileSync(join(configDir, 'config.yaml'), 'repos:\n  acme/widgets:\n    plugins: [hold]\n');
    env = { GHE_HOST: new URL(api.url).host, GHE_PROTOCOL: 'http', DATA_DIR: dataDir, CONFIG_FILE: join(configDir, 'config.yaml') };
    bot = await startServerProcess(env);
  });

  after(async () => {
    assert.equal(await bot?.stop(), 0);
    await api?.close();
  });

  const labels = () => github.change('acme/widgets', 7).labels;

  it('answers / with where things are, instead of a 404', async () => {
    const res = await fetch(`${bot.url}/`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /ci-orchestrator/);
    assert.ok(text.includes(`${bot.url}/probot`), text);
    assert.ok(text.includes(`${bot.url}/api/github/webhooks`), text);
    assert.match(text, /\/healthz/);
    assert.match(text, /\/merge-queue/);
    const html = await (await fetch(`${bot.url}/`, { headers: { accept: 'text/html' } })).text();
    assert.match(html, /<a href="\/probot">/);
  });

  it('answers a GitHub delivery at the wrong path with a 404 naming /api/github/webhooks, and warns once', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${bot.url}/`, {
        method: 'POST',
        headers: { 'x-github-event': 'issue_comment', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(res.status, 404);
      assert.match(((await res.json()) as { error: string }).error, /GitHub webhooks go to \/api\/github\/webhooks, not \//);
    }
    const warnings = bot.logs.filter((l) => l.level === 40 && /GitHub delivered a webhook to \/,/.test(String(l.msg)));
    assert.equal(warnings.length, 1);
  });

  it('offers a manifest whose webhook is <base>/api/github/webhooks, behind a proxy too', async () => {
    const page = await fetch(`${bot.url}/probot`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<style>/, 'styled by the page itself');
    const form = registrationForm(html);
    assert.equal(form.disabled, false);
    assert.ok(form.action.startsWith(`http://${env.GHE_HOST}/settings/apps/new?state=`), form.action);
    const manifest = JSON.parse(form.manifest);
    assert.equal(manifest.hook_attributes.url, `${bot.url}/api/github/webhooks`);
    assert.equal(manifest.redirect_url, `${bot.url}/probot/setup`);
    assert.equal(manifest.setup_url, `${bot.url}/`);
    assert.deepEqual(manifest.callback_urls, [`${bot.url}/`]);
    assert.ok(manifest.default_events.includes('issue_comment'), 'events from app.yml');
    assert.equal(manifest.default_permissions.issues, 'write', 'permissions from app.yml');
    assert.ok(html.includes(join(dataDir, '.env')), 'the page says where the credentials go');

    const proxied = await fetch(`${bot.url}/probot`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ci.example.com' } });
    const behindProxy = JSON.parse(registrationForm(await proxied.text()).manifest);
    assert.equal(behindProxy.hook_attributes.url, 'https://ci.example.com/api/github/webhooks');
    assert.equal(behindProxy.redirect_url, 'https://ci.example.com/probot/setup');
  });

  it('shows the webhook URL on /probot/import', async () => {
    const html = await (await fetch(`${bot.url}/probot/import`)).text();
    assert.ok(html.includes(`<code>${bot.url}/api/github/webhooks</code>`), html);
  });

  it('refuses a callback whose state it did not issue, without spending the code', async () => {
    const { manifest } = registrationForm(await (await fetch(`${bot.url}/probot`)).text());
    const back = new URL(await registerOnGitHub({ action: `http://${env.GHE_HOST}/settings/apps/new?state=forged`, manifest }));
    const res = await fetch(back);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /did not start on this server/);
    assert.ok(github.appManifests.has(back.searchParams.get('code')!), 'the code was not exchanged');
    assert.equal(github.apps.size, 0);
  });

  it('registers: the credentials land in DATA_DIR/.env (mode 0600) and the server uses them without a restart', async () => {
    const back = await registerOnGitHub(registrationForm(await (await fetch(`${bot.url}/probot`)).text()));
    assert.ok(back.startsWith(`${bot.url}/probot/setup?code=`), back);
    const res = await fetch(back);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.equal(github.apps.size, 1);
    const app = [...github.apps.values()][0]!;
    assert.match(html, /GitHub App registered/);
    assert.ok(html.includes(`href="https://github.com/apps/${app.slug}/installations/new"`), 'the next step: install the App');
    assert.match(html, /no restart needed/);

    const file = join(dataDir, '.env');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(saved).sort(), ['APP_ID', 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET', 'PRIVATE_KEY', 'WEBHOOK_SECRET']);
    assert.equal(saved.APP_ID, String(app.id));
    assert.equal(saved.PRIVATE_KEY!.replace(/\\n/g, '\n'), app.pem);
    assert.equal(saved.WEBHOOK_SECRET, app.webhookSecret);
    assert.equal(saved.GITHUB_CLIENT_ID, app.clientId);
    assert.equal(saved.GITHUB_CLIENT_SECRET, app.clientSecret);

    assert.deepEqual(await (await fetch(`${bot.url}/healthz`)).json(), {
      status: 'ok',
      queue: 'embedded',
      durable: false,
      github: true,
      gitlab: false,
    });
    const hold = JSON.stringify(githubPrComment('/hold'));
    const delivered = await postGitHub(bot.url, 'issue_comment', hold, { 'x-hub-signature-256': signGitHub(app.webhookSecret, hold) });
    assert.equal(delivered.status, 200);
    await waitFor(() => labels().includes(HOLD), 'the hold label, added as the new App');
    assert.ok(
      github.calls.some((c) => c.method === 'POST' && c.path === '/app/installations/1/access_tokens'),
      'authenticated with the issued key',
    );

    const again = await fetch(`${bot.url}/probot`, { redirect: 'manual' });
    assert.equal(again.status, 303, 'no second registration');
    const text = JSON.stringify(bot.logs);
    for (const secret of [app.webhookSecret, app.clientSecret, 'PRIVATE KEY']) assert.ok(!text.includes(secret), 'no secret in the log');
  });

  it('reads the credentials back from DATA_DIR after a restart', async () => {
    assert.equal(await bot.stop(), 0);
    bot = await startServerProcess(env);
    assert.ok(bot.logs.some((l) => String(l.msg) === `credentials read from ${join(dataDir, '.env')}`));
    const app = [...github.apps.values()][0]!;
    const unhold = JSON.stringify(githubPrComment('/unhold', { labels: [HOLD] }));
    const res = await postGitHub(bot.url, 'issue_comment', unhold, { 'x-hub-signature-256': signGitHub(app.webhookSecret, unhold) });
    assert.equal(res.status, 200);
    await waitFor(() => !labels().includes(HOLD), 'the hold label removed after the restart');
    const wrong = await postGitHub(bot.url, 'issue_comment', unhold, { 'x-hub-signature-256': signGitHub('not-the-secret', unhold) });
    assert.equal(wrong.status, 401);
  });

  it('takes the credentials as `docker run --env-file` gives them: quotes kept, warned about', async () => {
    assert.equal(await bot.stop(), 0);
    const app = [...github.apps.values()][0]!;
    // A .env written with PRIVATE_KEY="...\n..." (as Probot writes it) reaches the process verbatim.
    const quoted = `"${app.pem.replace(/\n/g, '\\n')}"`;
    bot = await startServerProcess({
      ...env,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'ci-orchestrator-data-')),
      APP_ID: String(app.id),
      PRIVATE_KEY: quoted,
      WEBHOOK_SECRET: app.webhookSecret,
    });
    assert.ok(
      bot.logs.some((l) => l.level === 40 && /^PRIVATE_KEY is wrapped in quotes \(docker --env-file keeps quotes/.test(String(l.msg))),
    );
    const hold = JSON.stringify(githubPrComment('/hold'));
    await postGitHub(bot.url, 'issue_comment', hold, { 'x-hub-signature-256': signGitHub(app.webhookSecret, hold) });
    await waitFor(() => labels().includes(HOLD), 'the hold label, with the unquoted key');
  });
});

describe('e2e: registration with a DATA_DIR the server cannot write', () => {
  it('says so on /probot, and the callback refuses before GitHub issues the key', async () => {
    const github = new ForgeState();
    const api = await startGitHubApi(github);
    // A regular file where the directory should be: unwritable even for root, who ignores modes.
    const notADirectory = join(mkdtempSync(join(tmpdir(), 'ci-orchestrator-data-')), 'file');
    writeFileSync(notADirectory, '');
    const bot = await startServerProcess({ GHE_HOST: new URL(api.url).host, GHE_PROTOCOL: 'http', DATA_DIR: notADirectory });
    try {
      assert.ok(
        bot.logs.some((l) => l.level === 40 && String(l.msg).startsWith(`DATA_DIR ${notADirectory} is not writable`)),
        'warned at start',
      );
      const html = await (await fetch(`${bot.url}/probot`)).text();
      assert.match(html, /Cannot save credentials/);
      const form = registrationForm(html);
      assert.equal(form.disabled, true, 'no Register button to press');
      // Were it pressed anyway (a page opened before the volume went away):
      const back = new URL(await registerOnGitHub(form));
      const res = await fetch(back);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /not writable/);
      assert.ok(github.appManifests.has(back.searchParams.get('code')!), 'the code is still unused');
      assert.equal(github.apps.size, 0);
    } finally {
      assert.equal(await bot.stop(), 0);
      await api.close();
    }
  });
});

describe('e2e: /probot/import, the credentials of an App made by hand', () => {
  it('checks them with GitHub as the App, saves them and uses them; a wrong key is refused', async () => {
    const github = new ForgeState();
    github.addChange('acme/widgets', { number: 7, author: 'alice' });
    const api = await startGitHubApi(github);
    const app = {
      id: 2000,
      slug: 'handmade',
      name: 'handmade',
      manifest: {},
      pem: testPrivateKey(),
      webhookSecret: 'handmade-secret',
      clientId: 'Iv1.x',
      clientSecret: 'y',
    };
    github.apps.set(app.id, app);
    github.botLogin = 'handmade[bot]';
    const dataDir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-data-'));
    const bot = await startServerProcess({ GHE_HOST: new URL(api.url).host, GHE_PROTOCOL: 'http', DATA_DIR: dataDir });
    const submit = (body: Record<string, unknown>) =>
      fetch(`${bot.url}/probot/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const page = await (await fetch(`${bot.url}/probot/import`)).text();
      const state = /name="state" value="([0-9a-f]+)"/.exec(page)?.[1];
      assert.ok(state);
      const form = { state, appId: String(app.id), webhook_secret: app.webhookSecret, pem: app.pem };

      const forged = await submit({ ...form, state: 'forged' });
      assert.equal(forged.status, 400);
      const wrongKey = await submit({ ...form, pem: testPrivateKey() });
      assert.equal(wrongKey.status, 400);
      assert.match(((await wrongKey.json()) as { error: string }).error, /GitHub refused App ID 2000 with this private key \(401\)/);
      const notAKey = await submit({ ...form, pem: 'hello' });
      assert.match(((await notAKey.json()) as { error: string }).error, /^the private key is neither a PEM private key/);
      assert.ok(!existsSync(join(dataDir, '.env')), 'nothing saved yet');

      const res = await submit(form);
      const answer = (await res.json()) as { message: string; install_url: string };
      assert.equal(res.status, 200, answer.message);
      assert.match(answer.message, /The server is using them now/);
      assert.equal(answer.install_url, 'https://github.com/apps/handmade/installations/new');
      const saved = parseEnv(readFileSync(join(dataDir, '.env'), 'utf8')) as Record<string, string>;
      assert.deepEqual([saved.APP_ID, saved.WEBHOOK_SECRET], ['2000', app.webhookSecret]);
      assert.equal(statSync(join(dataDir, '.env')).mode & 0o777, 0o600);

      const hold = JSON.stringify(githubPrComment('/hold'));
      assert.equal(
        (await postGitHub(bot.url, 'issue_comment', hold, { 'x-hub-signature-256': signGitHub(app.webhookSecret, hold) })).status,
        200,
      );
      await waitFor(() => github.change('acme/widgets', 7).labels.includes(HOLD), 'the hold label, as the imported App');
    } finally {
      assert.equal(await bot.stop(), 0);
      await api.close();
    }
  });
});
