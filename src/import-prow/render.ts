// The converted configuration as YAML, with comments where the reader has something to do or
// should know why a value differs from this project's defaults.
import { Document, isMap, isScalar, visit, type YAMLMap } from 'yaml';
import type { ImportedConfig } from './convert.js';

/** Lists of plain values at most this long are written on one line. */
const FLOW_WIDTH = 72;

export function renderConfig(config: ImportedConfig, inputs: readonly string[]): string {
  const doc = new Document(config);
  doc.commentBefore = [
    ' Converted from Prow by `ci-orchestrator import-prow` from:',
    ...inputs.map((input) => `   ${input}`),
    ' What had no equivalent was listed when converting (docs/import-prow.md explains the mapping).',
    ' Check this file with: ci-orchestrator check-config --config <this file>',
  ].join('\n');

  comment(doc, 'default_plugins', ' As in Prow: a repository no entry below names gets no plugin.');
  comment(doc, 'reply_to_unknown_commands', ' As in Prow: commands no plugin knows (those of Prow plugins not converted) get no reply.');
  const runners = doc.getIn(['runners'], true);
  if (isMap(runners)) {
    for (const pair of runners.items) {
      if (isScalar(pair.key)) {
        pair.key.commentBefore = [
          ' PLACEHOLDER: Prow ran these jobs as pods; here a runner runs them. Set url to the service',
          ' that runs a job when asked (docs/runner-protocol.md) and put its HMAC key in the environment',
          ' variable secret_env names, or use another runner type (docs/configuration.md#runners).',
        ].join('\n');
      }
    }
  }
  const repos = doc.getIn(['repos'], true);
  if (isMap(repos)) {
    const firstQueue = repos.items.find((pair) => isMap(pair.value) && pair.value.has('merge_queue'));
    if (firstQueue && isMap(firstQueue.value)) {
      comment(
        firstQueue.value,
        'merge_queue',
        " policy tide: Prow tide's decision order; `ours` (this project's default) batches and bisects (docs/configuration.md#merge-queue).",
      );
    }
  }

  visit(doc, {
    Seq(_, node) {
      const values = node.items.map((item) => (isScalar(item) ? String(item.value) : undefined));
      if (values.every((v) => v !== undefined) && values.join(', ').length <= FLOW_WIDTH) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function comment(parent: Document | YAMLMap, key: string, text: string): void {
  const map = parent instanceof Document ? parent.contents : parent;
  if (!isMap(map)) return;
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
}
