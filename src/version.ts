// The package's version, from the package.json above this file (src/ when run from sources, dist/src/
// when compiled): read once, on demand, so commands that do not ask for it pay nothing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ci-orchestrator' && pkg.version) return pkg.version;
    }
  }
  return 'unknown';
}
