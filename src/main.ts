// Entry point: `node dist/src/main.js <command>` (what npm start and bin/ci-orchestrator run).
import { main } from './cli.js';
import { describeFailure } from './describe-failure.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const line = describeFailure(err);
    const debug = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
    if (line && !debug) console.error(`ci-orchestrator: ${line}\n(LOG_LEVEL=debug shows the details)`);
    else console.error(err);
    process.exit(1);
  },
);
