// Entry point: `node --import tsx src/main.ts <command>` (what npm start and bin/ci-orchestrator run).
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
