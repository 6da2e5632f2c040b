// Run by `npm test` before the tests: without Redis, one line and exit 1 within seconds, rather
// than a failure per test file that needs it.
import { REDIS_URL, requireRedis } from '../test/helpers/require-redis.js';

try {
  await requireRedis(REDIS_URL);
} catch (err) {
  console.error(`npm test: ${(err as Error).message}`);
  process.exit(1);
}
