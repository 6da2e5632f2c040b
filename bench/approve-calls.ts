// Counts the forge API calls one /approve costs, through the real GitHub and GitLab adapters over
// their HTTP fakes: with a cold OWNERS cache, then warm. Prints the calls, not timings.
import { pino } from 'pino';
import { allPlugins } from '../plugins/index.js';
import { repoEntrySchema } from '../src/config/schema.js';
import { dispatchEvent } from '../src/core/dispatch-event.js';
import { OwnersResolver } from '../src/owners/index.js';
import { githubHarness } from '../test/fakes/github-harness.js';
import { gitlabHarness } from '../test/fakes/gitlab-harness.js';
import { RecordingCi } from '../test/fakes/recording-ci.js';
import { commentEvent } from '../test/helpers/events.js';

const OWNERS_FILES = Number(process.argv[2] ?? 200);
const FULL = 'acme/widgets';
const BASE = 'e'.repeat(40);

for (const harness of [githubHarness, gitlabHarness]) {
  const h = await harness.start();
  const forgeKind = h.repo.forge;
  h.state.addChange(FULL, { number: 7, author: 'alice', files: ['dir0/a.ts', 'dir1/b.ts', 'README.md'] });
  h.state.setBranch(FULL, 'main', BASE);
  h.state.setFile(FULL, BASE, 'OWNERS', 'approvers:\n- carol\n');
  for (let i = 0; i < OWNERS_FILES - 1; i++) h.state.setFile(FULL, BASE, `dir${i}/OWNERS`, `approvers:\n- owner${i}\n`);
  const owners = new OwnersResolver();
  const config = { ...repoEntrySchema.parse({ plugins: ['approve'] }), replyToUnknownCommands: false };
  const approve = async (login: string, body = '/approve') => {
    h.state.addComment(FULL, 7, login, body);
    const before = h.state.calls.length;
    await dispatchEvent(commentEvent(body, { login, forge: forgeKind }), {
      forge: h.forge,
      config,
      plugins: allPlugins,
      owners,
      ci: new RecordingCi(),
      log: pino({ level: 'silent' }),
    });
    return h.state.calls.slice(before).map((c) => `${c.method} ${c.path.replace(/\/(acme%2Fwidgets|repos\/acme\/widgets)/, '/…')}`);
  };
  const cold = await approve('owner0');
  // Warm everything (OWNERS, files, branch head, the label's existence), then measure a fresh /approve.
  await approve('carol');
  await approve('carol', '/approve cancel');
  const warm = await approve('carol');
  const writes = (calls: string[]) => calls.filter((c) => !c.startsWith('GET')).length;
  console.log(`\n${harness.name}: repo with ${OWNERS_FILES} OWNERS files, PR touching 3 files`);
  console.log(`  cold cache: ${cold.length} calls (${writes(cold)} writes)`);
  console.log(`  warm cache: ${warm.length} calls (${writes(warm)} writes, ${warm.length - writes(warm)} reads)`);
  for (const call of warm) console.log(`    ${call}`);
  console.log(`  labels now: ${h.state.change(FULL, 7).labels.join(', ')}`);
  await h.close();
}
