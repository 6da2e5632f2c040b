import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TriggerConfig, triggerSchema } from '../../src/config/jobs-schema.js';
import type { Forge, RepoRef } from '../../src/forge/types.js';
import { isBotItself, trustedPullRequest, trustedUser } from '../../src/jobs/trust.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';

const FULL = 'acme/widgets';
const REPO: RepoRef = { forge: 'github', owner: 'acme', name: 'widgets' };

/** A forge that records which membership questions trust asked, in order. */
function world() {
  const state = new ForgeState();
  state.repo(FULL);
  state.addOrgMember('acme', 'olga');
  state.addOrgMember('partners', 'pat');
  state.setPermission(FULL, 'wendy', 'write');
  state.setPermission(FULL, 'rita', 'read');
  state.setPermission(FULL, 'tracy', 'triage');
  const memory = new MemoryForge(state);
  const asked: string[] = [];
  const forge: Forge = Object.assign(Object.create(memory) as MemoryForge, {
    isOrgMember: async (repo: RepoRef, login: string) => {
      asked.push(`org ${repo.owner}`);
      return memory.isOrgMember(repo, login);
    },
    permission: async (repo: RepoRef, login: string) => {
      asked.push('permission');
      return memory.permission(repo, login);
    },
  });
  return { forge, asked };
}

const config = (fields: Partial<TriggerConfig> = {}): TriggerConfig => triggerSchema.parse(fields);

describe('TrustedUser (§1.9), first hit wins', () => {
  const cases: Array<[string, string, Partial<TriggerConfig>, boolean, string, string[]]> = [
    // title, login, config, trusted, reason, membership questions asked
    ['the bot', 'ci-bot', {}, true, 'the bot itself', []],
    ['the bot, app form', 'ci-bot[bot]', {}, true, 'the bot itself', []],
    ['an org member', 'olga', {}, true, 'a member of the org', ['org acme']],
    ['a collaborator with write access', 'wendy', {}, true, 'a collaborator', ['org acme', 'permission']],
    [
      'read access is not enough (public repositories give everyone read)',
      'rita',
      {},
      false,
      'not a member of the org, not a collaborator; satisfy at least one of these conditions',
      ['org acme', 'permission'],
    ],
    [
      'triage access is not enough',
      'tracy',
      {},
      false,
      'not a member of the org, not a collaborator; satisfy at least one of these conditions',
      ['org acme', 'permission'],
    ],
    [
      'only_org_members: a collaborator is not trusted, and not asked about',
      'wendy',
      { only_org_members: true },
      false,
      'not a member of the org; satisfy at least one of these conditions',
      ['org acme'],
    ],
    ['a trusted app', 'Dependabot[bot]', { trusted_apps: ['dependabot'] }, true, 'a trusted app', ['org acme', 'permission']],
    [
      'the app name without [bot] is not the app',
      'dependabot',
      { trusted_apps: ['dependabot'] },
      false,
      'not a member of the org, not a collaborator; satisfy at least one of these conditions',
      ['org acme', 'permission'],
    ],
    [
      'x[bot]suffix is not an app login',
      'dependabot[bot]x',
      { trusted_apps: ['dependabot'] },
      false,
      'not a member of the org, not a collaborator; satisfy at least one of these conditions',
      ['org acme', 'permission'],
    ],
    [
      'an app that is not listed',
      'renovate[bot]',
      { trusted_apps: ['dependabot'] },
      false,
      'not a member of the org, not a collaborator; satisfy at least one of these conditions',
      ['org acme', 'permission'],
    ],
    [
      'a member of the trusted secondary org',
      'pat',
      { trusted_org: 'partners' },
      true,
      'a member of the trusted secondary org',
      ['org acme', 'permission', 'org partners'],
    ],
    [
      'not a member of the trusted secondary org',
      'mallory',
      { trusted_org: 'partners' },
      false,
      'not a member of the org, not a collaborator, not a member of the trusted secondary org; satisfy at least one of these conditions',
      ['org acme', 'permission', 'org partners'],
    ],
    [
      'trusted_org naming the repo org is not a second org',
      'mallory',
      { trusted_org: 'ACME' },
      false,
      'not a member of the org, not a collaborator; satisfy at least one of these conditions',
      ['org acme', 'permission'],
    ],
  ];
  for (const [title, login, fields, trusted, reason, asked] of cases) {
    it(title, async () => {
      const w = world();
      assert.deepEqual(await trustedUser(w.forge, REPO, config(fields), login), { trusted, reason });
      assert.deepEqual(w.asked, asked);
    });
  }

  it('knows the bot in either form, whichever form the forge reports', () => {
    assert.ok(isBotItself('@CI-Bot', 'ci-bot[bot]'));
    assert.ok(isBotItself('ci-bot[bot]', 'ci-bot'));
    assert.ok(!isBotItself('ci-bot-2', 'ci-bot'));
  });
});

describe('TrustedPullRequest', () => {
  it('a trusted author, or the ok-to-test label, trusts the change', async () => {
    const { forge } = world();
    assert.equal(await trustedPullRequest(forge, REPO, config(), { author: 'olga', labels: [] }), true);
    assert.equal(await trustedPullRequest(forge, REPO, config(), { author: 'mallory', labels: [] }), false);
    assert.equal(await trustedPullRequest(forge, REPO, config(), { author: 'mallory', labels: ['OK-to-test'] }), true);
    // needs-ok-to-test does not matter
    assert.equal(await trustedPullRequest(forge, REPO, config(), { author: 'mallory', labels: ['ok-to-test', 'needs-ok-to-test'] }), true);
  });

  it('with ignore_ok_to_test, the label trusts nothing', async () => {
    const { forge } = world();
    assert.equal(
      await trustedPullRequest(forge, REPO, config({ ignore_ok_to_test: true }), { author: 'mallory', labels: ['ok-to-test'] }),
      false,
    );
  });
});
