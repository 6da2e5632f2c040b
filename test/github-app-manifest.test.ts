// The manifest the registration page sends to GitHub: this server's URLs, from PUBLIC_URL or the
// request (proxy headers included), over whatever app.yml says.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appManifest, createAppUrl, readManifestFile, requestBaseUrl } from '../src/server/github-app-manifest.js';

const request = (headers: Record<string, string>, encrypted = false) => ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

describe('the GitHub App manifest', () => {
  it('takes its base URL from PUBLIC_URL, else the proxy headers, else the request', () => {
    const proxied = request({ host: '10.0.0.5:3000', 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'ci.example.com' });
    assert.equal(requestBaseUrl(proxied, 'https://bot.example.org/'), 'https://bot.example.org');
    assert.equal(requestBaseUrl(proxied), 'https://ci.example.com');
    assert.equal(
      requestBaseUrl(request({ host: 'ci.example.com', 'x-forwarded-proto': 'http' }, true)),
      'http://ci.example.com',
      'the header says http',
    );
    assert.equal(requestBaseUrl(request({ host: 'ci.example.com' }, true)), 'https://ci.example.com');
    assert.equal(requestBaseUrl(request({ host: '127.0.0.1:3000' })), 'http://127.0.0.1:3000');
  });

  it('points the webhook, redirect, setup and callback URLs at this server, whatever app.yml says', () => {
    const manifest = appManifest(
      {
        name: 'my-bot',
        default_events: ['push'],
        hook_attributes: { url: 'https://elsewhere/', active: false },
        redirect_url: 'https://elsewhere/',
      },
      'https://ci.example.com',
    );
    assert.deepEqual(manifest, {
      name: 'my-bot',
      public: false,
      default_events: ['push'],
      url: 'https://ci.example.com',
      hook_attributes: { url: 'https://ci.example.com/api/github/webhooks', active: true },
      redirect_url: 'https://ci.example.com/probot/setup',
      setup_url: 'https://ci.example.com/',
      callback_urls: ['https://ci.example.com/'],
    });
  });

  it('is posted to github.com, GHE or an organisation, with the state', () => {
    assert.equal(createAppUrl('https://github.com', undefined, 'abc'), 'https://github.com/settings/apps/new?state=abc');
    assert.equal(
      createAppUrl('http://ghe.local:8080', 'acme', 'abc'),
      'http://ghe.local:8080/organizations/acme/settings/apps/new?state=abc',
    );
  });

  it('reads app.yml, naming the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-manifest-'));
    assert.equal(readManifestFile('app.yml').name, 'ci-orchestrator', "the repository's own app.yml");
    assert.throws(
      () => readManifestFile(join(dir, 'app.yml')),
      new RegExp(`^Error: cannot read the App manifest ${join(dir, 'app.yml')}: ENOENT`),
    );
    writeFileSync(join(dir, 'list.yml'), '- a\n');
    assert.throws(() => readManifestFile(join(dir, 'list.yml')), /list\.yml must be a YAML mapping/);
  });
});
