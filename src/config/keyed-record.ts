// A map whose keys must match a pattern. zod's own key schema (z.record(z.string().regex(...), v))
// skips the value of a key that fails, so a misspelt key would hide every problem under it; here
// every value is validated and a bad key is reported beside its value's problems.
import { z } from 'zod';

const isPlainObject = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

export function keyedRecord<V extends z.ZodType>(key: RegExp, keyMessage: string, value: V) {
  return z.record(z.string(), value).superRefine(
    (record, ctx) => {
      for (const name of Object.keys(record)) {
        if (!key.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `invalid key "${name}": ${keyMessage}` });
      }
    },
    { when: (payload) => isPlainObject(payload.value) },
  );
}
