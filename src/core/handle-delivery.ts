// What a queue worker does with a delivery: each event goes through the plugins enabled on its repo.
import type { Logger } from 'pino';
import type { ConfigSource } from '../config/config-source.js';
import { configForEvent } from '../config/in-repo/config-for-event.js';
import { RepoFileLoader } from '../config/in-repo/repo-file-loader.js';
import { liveRepoConfigResolver } from '../config/resolve-repo-config.js';
import type { ForgeProvider } from '../forge/forge-provider.js';
import type { CiJobs } from '../jobs/ci-jobs.js';
import type { OwnersResolver } from '../owners/index.js';
import type { DeliveryHandler } from '../queue/event-queue.js';
import type { Metrics } from '../server/metrics.js';
import { dispatchEvent } from './dispatch-event.js';
import type { NormalizedEvent, RunnerEvent } from './events.js';
import type { Plugin } from './plugin.js';

export interface DeliveryHandlerDeps {
  /** read per event, so a reload applies to the next one */
  config: ConfigSource;
  /** repositories' own configuration files, where the operator enables them (cached per sha) */
  repoFiles?: RepoFileLoader;
  plugins: readonly Plugin[];
  forges: ForgeProvider;
  owners: OwnersResolver;
  ci: CiJobs;
  /** where CI systems' own events (workflow runs, pipelines) go: they are not plugin business */
  onRunnerEvent(event: RunnerEvent): Promise<void>;
  /** after the plugins had an event (the merge queue re-syncs the repo) */
  afterEvent?(event: NormalizedEvent): Promise<void>;
  log: Logger;
  metrics?: Metrics;
}

export function createDeliveryHandler(deps: DeliveryHandlerDeps): DeliveryHandler {
  const configFor = liveRepoConfigResolver(
    deps.config,
    deps.plugins.map((p) => p.name),
  );
  const repoFiles = deps.repoFiles ?? new RepoFileLoader();
  return async (delivery) => {
    for (const event of delivery.events) {
      if (event.kind === 'runner') {
        await deps.onRunnerEvent(event);
        continue;
      }
      const forge = await deps.forges.forEvent(event);
      await dispatchEvent(event, {
        forge,
        config: await configForEvent(event, forge, configFor(event.repo), repoFiles, deps.log),
        plugins: deps.plugins,
        owners: deps.owners,
        ci: deps.ci,
        log: deps.log,
        observe: (plugin, outcome, seconds) =>
          deps.metrics?.handlerSeconds.observe({ forge: event.forge, event: event.kind, plugin, outcome }, seconds),
      });
      await deps.afterEvent?.(event);
    }
  };
}
