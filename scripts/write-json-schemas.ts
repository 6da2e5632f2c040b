// Writes the runner protocol's JSON Schemas (docs/schemas/) from the zod schemas: `npm run schemas`.
// Run it after changing src/jobs/protocol.ts; test/json-schemas.test.ts fails until you do.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJsonSchemas, renderJsonSchema } from '../src/jobs/json-schemas.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

for (const { file, schema } of buildJsonSchemas()) {
  const path = join(root, file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderJsonSchema(schema));
  console.log(`wrote ${file}`);
}
