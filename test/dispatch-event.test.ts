import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allPlugins } from '../plugins/index.js';
import { definePlugin } from '../src/core/plugin.js';
import { createDispatchRig } from './helpers/dispatch.js';
import { commentEvent, pullRequestEvent } from './helpers/events.js';

const failing = definePlugin({
  name: 'failing',
  description: 'always throws',
  commands: [],
  handle: async () => {
    throw new Error('boom');
  },
});

describe('dispatchEvent', () => {
  it('isolates a failing plugin: the others still run, the failure is logged with the delivery id', async () => {
    const rig = createDispatchRig({ plugins: [failing, ...allPlugins] });
    const event = commentEvent('/hold');
    await rig.dispatch(event);
    assert.deepEqual(rig.labels(), ['do-not-merge/hold']);
    const error = rig.logs.find((l) => l.level === 50);
    assert.equal(error?.delivery, event.deliveryId);
    assert.equal(error?.plugin, 'failing');
    assert.match(String((error?.err as { message?: string })?.message), /boom/);
    assert.deepEqual(
      rig.observed.find(([p]) => p === 'failing'),
      ['failing', 'error'],
    );
  });

  it('gives plugins their non-command events', async () => {
    const seen: string[] = [];
    const watcher = definePlugin({
      name: 'watcher',
      description: '',
      commands: [],
      handle: async ({ event }) => {
        seen.push(event.kind);
      },
    });
    const rig = createDispatchRig({ plugins: [watcher] });
    await rig.dispatch(pullRequestEvent('opened'));
    assert.deepEqual(seen, ['pull_request']);
  });

  it('answers an unknown command once, listing what works', async () => {
    const rig = createDispatchRig({ enabled: ['help', 'hold'] });
    await rig.dispatch(commentEvent('/frobnicate\n/hold\n/lgtmm', { login: 'dave' }));
    assert.deepEqual(rig.labels(), ['do-not-merge/hold']);
    const [reply, ...more] = rig.comments();
    assert.equal(more.length, 0);
    assert.match(reply!, /^@dave: /);
    assert.match(reply!, /`\/frobnicate` is not a command I know/);
    assert.match(reply!, /`\/lgtmm` is not a command I know/);
    assert.match(reply!, /`\/help`/);
  });

  it('says when a command belongs to a plugin not enabled here', async () => {
    const rig = createDispatchRig({ enabled: ['help'] });
    await rig.dispatch(commentEvent('/hold'));
    assert.match(rig.comments()[0]!, /`\/hold` belongs to the `hold` plugin, which is not enabled/);
  });

  it('stays silent on unknown commands when configured to', async () => {
    const rig = createDispatchRig({ enabled: ['help'], replyToUnknownCommands: false });
    await rig.dispatch(commentEvent('/frobnicate'));
    assert.deepEqual(rig.comments(), []);
  });

  it('never answers bots', async () => {
    const rig = createDispatchRig();
    await rig.dispatch(commentEvent('/frobnicate', { login: 'dependabot[bot]', isBot: true }));
    assert.deepEqual(rig.comments(), []);
  });
});
