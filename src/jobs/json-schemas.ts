// The published JSON Schemas of the runner protocol (docs/schemas/), generated from the zod schemas
// the bot validates with, so the two cannot disagree. `npm run schemas` writes them;
// test/json-schemas.test.ts fails when the committed files differ from what this module builds.
import { z } from 'zod';
import { API_VERSION, dispatchDocumentSchema, statusReportSchema } from './protocol.js';

export interface PublishedSchema {
  /** path relative to the repository root */
  file: string;
  schema: Record<string, unknown>;
}

// Neither document has a canonical host, so the ids are URNs carrying the protocol version.
const VERSION = API_VERSION.replace(/^ci-orchestrator\//, '');
export const DISPATCH_SCHEMA_ID = `urn:ci-orchestrator:${VERSION}:dispatch`;
export const STATUS_REPORT_SCHEMA_ID = `urn:ci-orchestrator:${VERSION}:status-report`;

/**
 * The two published schemas, in the order they are written.
 *
 * The dispatch document is published open (no `additionalProperties: false`): within one apiVersion
 * the bot may add optional fields, and a runner that validates what it receives must not break on
 * them. The status report stays closed, as the callback rejects unknown fields.
 */
export function buildJsonSchemas(): PublishedSchema[] {
  return [
    {
      file: 'docs/schemas/dispatch.schema.json',
      schema: toPublished(dispatchDocumentSchema, {
        id: DISPATCH_SCHEMA_ID,
        title: `ci-orchestrator dispatch document (${API_VERSION})`,
        open: true,
      }),
    },
    {
      file: 'docs/schemas/status-report.schema.json',
      schema: toPublished(statusReportSchema, {
        id: STATUS_REPORT_SCHEMA_ID,
        title: `ci-orchestrator status report (${API_VERSION})`,
        open: false,
      }),
    },
  ];
}

/** A schema file's text: two-space JSON with a trailing newline. */
export const renderJsonSchema = (schema: Record<string, unknown>): string => `${JSON.stringify(schema, null, 2)}\n`;

function toPublished(schema: z.ZodType, opts: { id: string; title: string; open: boolean }): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def as { format?: string; protocol?: RegExp };
      // z.url({ protocol }) becomes a bare `format: uri`; say which schemes the bot accepts.
      if (def.format === 'url' && def.protocol instanceof RegExp) {
        jsonSchema.pattern = `^(?:${def.protocol.source.replace(/^\^/, '').replace(/\$$/, '')}):`;
      }
      if (opts.open && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: opts.id, title: opts.title, ...rest };
}
