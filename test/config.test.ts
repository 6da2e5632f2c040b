import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, embeddedConfig, parseConfig } from '../src/config/load-config.js';
import { repoConfigResolver, reportingResolver } from '../src/config/resolve-repo-config.js';
import { pluginNames } from '../plugins/index.js';

const KNOWN = ['help', 'hold'];

function problems(text: string) {
  try {
    parseConfig(text, 'config.yaml', KNOWN);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('accepts the documented example', () => {
    const config = parseConfig(readFileSync('config.example.yaml', 'utf8'), 'config.example.yaml', pluginNames());
    assert.ok(Object.keys(config.repos).length > 0);
  });

  it('reports every problem with its line, path and reason', () => {
    const found = problems([
      'default_plugins: [hold, lgtmm]', // 1
      'repos:',                          // 2
      '  acme/widgets:',                 // 3
      '    plugins: hold',               // 4
      '  acme:',                         // 5
      '    plugins: []',                 // 6
      'unknown_key: 1',                  // 7
    ].join('\n'));
    assert.equal(found.length, 4, found.join('\n'));
    assert.match(found[0]!, /^1: default_plugins.1: unknown plugin "lgtmm"/);
    assert.match(found.find((p) => p.includes('repos.acme/widgets.plugins'))!, /^4: .*expected array/);
    assert.match(found.find((p) => p.includes('repos.acme:'))!, /^5: .*owner\/name/);
    assert.match(found.find((p) => p.includes('unknown_key'))!, /^7: unknown_key: .*[Uu]nrecognized/);
  });

  it('merge queue: off unless a repo entry has one; bad settings are named', () => {
    const config = parseConfig('repos:\n  acme/widgets: {plugins: [], merge_queue: {}}\n', 'config.yaml', KNOWN);
    const resolve = repoConfigResolver(config, KNOWN);
    assert.equal(resolve({ forge: 'github', owner: 'acme', name: 'widgets' }).mergeQueue?.policy, 'ours');
    assert.equal(resolve({ forge: 'github', owner: 'acme', name: 'other' }).mergeQueue, undefined, 'never on by default');
    assert.equal(config.merge_queue.sync_period, '60s');
    assert.deepEqual(problems([
      'merge_queue: {sync_period: 5s}',                    // 1
      'repos:',                                            // 2
      '  acme/widgets:',                                   // 3
      '    plugins: []',                                   // 4
      '    merge_queue:',                                  // 5
      '      batch_size: 0',                               // 6
      '      merge_method: fast-forward',                  // 7
      '      freeze_windows: [{start: "2026-12-24T00:00:00Z", end: "2026-12-01T00:00:00Z"}]', // 8
    ].join('\n')).map((p) => p.split(': ').slice(0, 2).join(': ')), [
      '1: merge_queue.sync_period',
      '6: repos.acme/widgets.merge_queue.batch_size',
      '7: repos.acme/widgets.merge_queue.merge_method',
      '8: repos.acme/widgets.merge_queue.freeze_windows.0.end',
    ]);
  });

  it('reporting: statuses unless asked; a repo entry wins over the top level; bad values are named', () => {
    const repo = (name: string) => ({ forge: 'github' as const, owner: 'acme', name });
    const none = reportingResolver(parseConfig('repos: {acme/a: {plugins: []}}', 'config.yaml', KNOWN));
    assert.equal(none(repo('a')).github, 'statuses');
    assert.equal(none(repo('elsewhere')).github, 'statuses');
    const some = reportingResolver(parseConfig([
      'reporting: {github: checks}',
      'repos:',
      '  acme/a: {plugins: [], reporting: {github: statuses}}',
      '  acme/*: {plugins: []}',
    ].join('\n'), 'config.yaml', KNOWN));
    assert.equal(some(repo('a')).github, 'statuses');
    assert.equal(some(repo('b')).github, 'checks', 'an entry without reporting takes the top level');
    assert.equal(some({ forge: 'github', owner: 'other', name: 'c' }).github, 'checks');
    assert.deepEqual(problems([
      'reporting: {github: check-runs}',
      'repos:',
      '  acme/a: {plugins: [], reporting: {gitlab: checks}}',
    ].join('\n')).map((p) => p.split(': ').slice(0, 2).join(': ')), ['1: reporting.github', '3: repos.acme/a.reporting.gitlab']);
  });

  it('names unknown plugins with the known ones', () => {
    assert.deepEqual(problems('default_plugins: [hold, lgtmm]'),
      ['1: default_plugins.1: unknown plugin "lgtmm" (known: help, hold)']);
  });

  it('reports invalid YAML with its line', () => {
    const [problem] = problems('repos:\n  acme/widgets: {plugins: [hold]\n');
    assert.match(problem!, /^\d+: : invalid YAML/);
  });

  it('reports duplicate keys', () => {
    assert.match(problems('default_plugins: [hold]\ndefault_plugins: [help]\n')[0]!, /invalid YAML.*[Uu]nique|invalid YAML.*duplicate/i);
  });

  it('rejects an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
    assert.ok(problems(bomb).length > 0);
  });

  it('picks the exact repo, then owner/*, then the defaults', () => {
    const config = parseConfig([
      'default_plugins: [help]',
      'repos:',
      '  acme/widgets: {plugins: [hold]}',
      '  acme/*: {plugins: [help, hold]}',
      '  grp/sub/*: {plugins: []}',
    ].join('\n'), 'config.yaml', KNOWN);
    const repo = (owner: string, name: string) => ({ forge: 'gitlab' as const, owner, name });
    const resolve = repoConfigResolver(config, KNOWN);
    assert.deepEqual(resolve(repo('acme', 'widgets')).plugins, ['hold']);
    assert.deepEqual(resolve(repo('Acme', 'Widgets')).plugins, ['hold']);
    assert.deepEqual(resolve(repo('acme', 'gadgets')).plugins, ['help', 'hold']);
    assert.deepEqual(resolve(repo('grp/sub', 'proj')).plugins, []);
    assert.deepEqual(resolve(repo('other', 'thing')).plugins, ['help']);
  });

  it('enables every plugin everywhere when nothing is configured', () => {
    const resolved = repoConfigResolver(embeddedConfig(), KNOWN)({ forge: 'github', owner: 'a', name: 'b' });
    assert.deepEqual(resolved.plugins, KNOWN);
    assert.equal(resolved.replyToUnknownCommands, true);
    assert.deepEqual(resolved.approve, { require_self_approval: false, ignore_review_state: false, lgtm_acts_as_approve: false });
  });
});
