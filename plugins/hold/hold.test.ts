import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOLD } from '../../src/core/labels.js';
import { createDispatchRig } from '../../test/helpers/dispatch.js';
import { commentEvent, reviewEvent } from '../../test/helpers/events.js';

describe('hold plugin', () => {
  // Prow's hold_test table: body, label before, label after.
  const cases: Array<[string, string, boolean, boolean]> = [
    ['/hold adds the label', '/hold', false, true],
    ['/hold keeps an existing label', '/hold', true, true],
    ['/hold with a reason', '/hold for further review', false, true],
    ['/HOLD is case-insensitive', '/HOLD', false, true],
    ['/hold cancel removes it', '/hold cancel', true, false],
    ['/hold   cancel with a reason', '/hold   cancel  because it is ready', true, false],
    ['/hold CANCEL', '/hold CANCEL', true, false],
    ['/unhold removes it', '/unhold', true, false],
    ['/unhold with text', '/unhold   done', true, false],
    ['/remove-hold removes it', '/remove-hold', true, false],
    ['/unhold without the label is a no-op', '/unhold', false, false],
    ['/remove -  hold does nothing', '/remove -  hold', true, true],
    ['/removehold does nothing', '/removehold', true, true],
    ['a quoted /hold does nothing', '> /hold', false, false],
    ['/hold mid-line does nothing', 'please /hold', false, false],
    ['/hold in a code block does nothing', '```\n/hold\n```', false, false],
    ['/hold in an HTML comment does nothing', '<!-- /hold -->', false, false],
  ];
  for (const [name, body, before, after] of cases) {
    it(name, async () => {
      const rig = createDispatchRig({ enabled: ['hold'] });
      if (before) rig.state.addLabel('acme/widgets', 7, HOLD);
      await rig.dispatch(commentEvent(body));
      assert.equal(rig.labels().includes(HOLD), after);
    });
  }

  it('acts on a command in a review body', async () => {
    const rig = createDispatchRig({ enabled: ['hold'] });
    await rig.dispatch(reviewEvent('Needs another look.\n/hold'));
    assert.deepEqual(rig.labels(), [HOLD]);
  });

  it('ignores edited and deleted comments', async () => {
    const rig = createDispatchRig({ enabled: ['hold'] });
    await rig.dispatch(commentEvent('/hold', { action: 'edited' }));
    await rig.dispatch(commentEvent('/hold', { action: 'deleted' }));
    assert.deepEqual(rig.labels(), []);
  });

  it("ignores bots and the bot's own comments", async () => {
    const rig = createDispatchRig({ enabled: ['hold'] });
    await rig.dispatch(commentEvent('/hold', { login: 'renovate[bot]', isBot: true }));
    await rig.dispatch(commentEvent('/hold', { login: rig.state.botLogin.toUpperCase() }));
    assert.deepEqual(rig.labels(), []);
  });

  it('does nothing where it is not enabled', async () => {
    const rig = createDispatchRig({ enabled: ['help'], replyToUnknownCommands: false });
    await rig.dispatch(commentEvent('/hold'));
    assert.deepEqual(rig.labels(), []);
  });
});
