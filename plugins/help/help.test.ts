import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDispatchRig } from '../../test/helpers/dispatch.js';
import { commentEvent } from '../../test/helpers/events.js';

describe('help plugin', () => {
  it('answers /help with the commands of the enabled plugins, mentioning the commenter', async () => {
    const rig = createDispatchRig({ enabled: ['help', 'hold'] });
    await rig.dispatch(commentEvent('/help', { login: 'carol' }));
    const [reply] = rig.comments();
    assert.match(reply!, /^@carol: /);
    assert.match(reply!, /`\/help`/);
    assert.match(reply!, /`\/hold \[cancel\]`/);
    assert.match(reply!, /`\/unhold`, `\/remove-hold`/);
    assert.match(reply!, /<details>[\s\S]*> \/help[\s\S]*<\/details>/);
    assert.equal(rig.comments().length, 1);
  });

  it('lists only what is enabled on the repository', async () => {
    const rig = createDispatchRig({ enabled: ['help'] });
    await rig.dispatch(commentEvent('/help'));
    assert.doesNotMatch(rig.comments()[0]!, /hold/);
  });
});
