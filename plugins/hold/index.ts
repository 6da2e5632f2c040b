// hold: Prow's hold plugin. Anyone who can comment may hold or release a change; the merge queue
// treats do-not-merge/hold as a blocking label.

import { HOLD } from '../../src/core/labels.js';
import { definePlugin } from '../../src/core/plugin.js';

export default definePlugin({
  name: 'hold',
  description: `Blocks merging while a change carries the ${HOLD} label.`,
  commands: [
    {
      name: 'hold',
      args: '[cancel]',
      who: 'Anyone',
      help: `Adds the ${HOLD} label; "/hold cancel" removes it. A reason may follow.`,
      example: '/hold waiting for the release branch',
      run: ({ command, forge, changeRef }) =>
        command.args[0]?.toLowerCase() === 'cancel' ? forge.removeLabel(changeRef, HOLD) : forge.addLabel(changeRef, HOLD),
    },
    {
      name: ['unhold', 'remove-hold'],
      who: 'Anyone',
      help: `Removes the ${HOLD} label.`,
      example: '/unhold',
      run: ({ forge, changeRef }) => forge.removeLabel(changeRef, HOLD),
    },
  ],
});
