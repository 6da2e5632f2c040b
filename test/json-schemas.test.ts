// The runner protocol's published artefacts stay true: the JSON Schemas in docs/schemas/ are what
// `npm run schemas` generates from the zod schemas, and the examples in docs/runner-protocol.md
// (fenced blocks tagged `json dispatch-example`, `json report-example`, `yaml config-example`)
// are valid documents.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema } from '../src/config/schema.js';
import { buildJsonSchemas, renderJsonSchema } from '../src/jobs/json-schemas.js';
import { type DispatchDocument, dispatchDocumentSchema, statusReportSchema } from '../src/jobs/protocol.js';

const root = join(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** The bodies of the fenced blocks whose info string is exactly `tag`. */
function examples(markdown: string, tag: string): string[] {
  const found: string[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) if (m[1]!.trim() === tag) found.push(m[2]!);
  return found;
}

function valid<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  assert.ok(result.success, `${what}: ${result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}

describe('published JSON Schemas', () => {
  for (const { file, schema } of buildJsonSchemas()) {
    it(`${file} is what \`npm run schemas\` generates`, () => {
      let committed: string;
      try {
        committed = read(file);
      } catch {
        assert.fail(`${file} is missing: run \`npm run schemas\``);
      }
      assert.equal(committed, renderJsonSchema(schema), `${file} is stale: run \`npm run schemas\``);
    });
  }

  it('have ids and titles', () => {
    const schemas = buildJsonSchemas().map((s) => s.schema);
    for (const schema of schemas) {
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.match(String(schema.$id), /^urn:ci-orchestrator:v1:/);
      assert.equal(typeof schema.title, 'string');
    }
    assert.equal(new Set(schemas.map((s) => s.$id)).size, schemas.length);
  });
});

describe('docs/runner-protocol.md examples', () => {
  const doc = read('docs/runner-protocol.md');

  it('dispatch documents are valid, one of each job type', () => {
    const docs = examples(doc, 'json dispatch-example').map((text, i) =>
      valid(dispatchDocumentSchema, JSON.parse(text), `dispatch example ${i + 1}`),
    );
    const byType = (type: DispatchDocument['job']['type']) => docs.filter((d) => d.job.type === type);
    assert.ok(byType('presubmit').every((d) => d.refs.pulls.length === 1) && byType('presubmit').length > 0);
    assert.ok(byType('batch').every((d) => d.refs.pulls.length > 1) && byType('batch').length > 0);
    assert.ok(byType('postsubmit').every((d) => d.refs.pulls.length === 0) && byType('postsubmit').length > 0);
    for (const d of docs) {
      assert.ok(d.callback.url.endsWith(`/api/v1/jobs/${d.job.id}/status`), `${d.job.id}: callback URL`);
    }
  });

  it('status reports are valid', () => {
    const reports = examples(doc, 'json report-example');
    assert.ok(reports.length >= 2);
    reports.forEach((text, i) => valid(statusReportSchema, JSON.parse(text), `report example ${i + 1}`));
  });

  it('configuration excerpts are valid, and jobs name a runner of the excerpt', () => {
    const configs = examples(doc, 'yaml config-example');
    assert.ok(configs.length >= 2);
    configs.forEach((text, i) => {
      const config = valid(configSchema, parseYaml(text), `config example ${i + 1}`);
      for (const entry of Object.values(config.repos)) {
        for (const job of [...entry.presubmits, ...entry.postsubmits]) {
          assert.ok(job.runner in config.runners, `config example ${i + 1}: job ${job.name}: no runner "${job.runner}"`);
        }
      }
    });
  });

  it('links the schema files', () => {
    for (const { file } of buildJsonSchemas()) assert.ok(doc.includes(`(${file.replace('docs/', '')})`), file);
  });
});
