// deploy/: the docker-compose file and the systemd unit, exercised as far as this machine allows
// (no Docker engine, no systemd as init): each service's command line, with its own environment, is
// started as the container or the unit would start it, against the real Redis.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REDIS_URL, testPrefix } from './helpers/redis.js';
import { startProcess, waitFor } from './helpers/server-process.js';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/** The image's ENTRYPOINT, from the Dockerfile's exec form. */
function imageEntrypoint(): string[] {
  const line = read('Dockerfile')
    .split('\n')
    .find((l) => l.startsWith('ENTRYPOINT '));
  assert.ok(line, 'the Dockerfile has an ENTRYPOINT');
  return JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
}

/** A service's environment as the container gets it: ${VAR:-default} resolved to the default. */
const containerEnv = (env: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

describe('deploy/docker-compose.yml', () => {
  const compose = parse(read('deploy/docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
  const { redis, bot, worker } = compose.services;

  it('runs the bot, a worker and Redis, the bot and worker waiting for a healthy Redis', () => {
    assert.ok(redis && bot && worker);
    assert.deepEqual(bot.command, ['serve']);
    assert.deepEqual(worker.command, ['worker']);
    for (const service of [bot, worker]) {
      assert.equal(service.environment?.REDIS_URL, 'redis://redis:6379');
      assert.equal(service.depends_on?.redis?.condition, 'service_healthy');
      assert.ok(
        service.volumes?.some((v) => v.split(':')[1] === service.environment?.DATA_DIR),
        'DATA_DIR is a volume',
      );
    }
  });

  for (const name of ['bot', 'worker'] as const) {
    it(`starts the ${name} as its container would`, async () => {
      const service = compose.services[name]!;
      const command = [...imageEntrypoint(), ...service.command!].join(' ');
      const env = {
        ...containerEnv(service.environment),
        // The compose network's names are this machine's loopback here.
        REDIS_URL,
        REDIS_PREFIX: testPrefix(),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'ci-orchestrator-data-')),
        HOST: '127.0.0.1',
      };
      const started = await startProcess(command, env, name === 'bot' ? /^listening/ : /^worker started/);
      try {
        if (name === 'bot') {
          const health = (await (await fetch(`${started.url}/healthz`)).json()) as { queue: string; durable: boolean };
          assert.deepEqual([health.queue, health.durable], ['bullmq', true]);
        }
      } finally {
        assert.equal(await started.stop(), 0);
      }
    });
  }
});

describe('deploy/ci-orchestrator.service', () => {
  const unit = read('deploy/ci-orchestrator.service');
  const directive = (key: string) =>
    unit
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));

  it('is a valid unit file', { skip: !hasSystemdAnalyze() && 'systemd-analyze is not installed' }, () => {
    const result = spawnSync('systemd-analyze', ['verify', join(ROOT, 'deploy/ci-orchestrator.service')], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it("starts the server as the unit would, reloads its configuration on the unit's reload, and stops on the unit's signal", async () => {
    const workingDirectory = directive('WorkingDirectory')[0]!;
    const execStart = directive('ExecStart')[0] ?? '';
    assert.ok(execStart.includes(workingDirectory), 'ExecStart runs the installed copy');
    const environment = Object.fromEntries(
      directive('Environment')
        .flatMap((l) => l.split(' '))
        .map((kv) => kv.split('=') as [string, string]),
    );
    const state = mkdtempSync(join(tmpdir(), 'ci-orchestrator-state-'));
    const command = execStart.replaceAll(workingDirectory, ROOT).replace(/^\/usr\/bin\/node /, `${process.execPath} `);
    const configFile = join(state, 'config.yaml');
    writeFileSync(configFile, 'default_plugins: [hold]\n');
    const started = await startProcess(command, {
      ...environment,
      DATA_DIR: state,
      WORK_DIR: join(state, 'work'),
      HOST: '127.0.0.1',
      CONFIG_FILE: configFile,
    });
    assert.equal((await fetch(`${started.url}/healthz`)).status, 200);
    assert.deepEqual(directive('ExecReload'), ['/bin/kill -HUP $MAINPID']);
    started.child.kill('SIGHUP');
    await waitFor(() => started.logs.some((l) => l.msg === 'configuration reloaded'), 'the reload');
    assert.equal((await fetch(`${started.url}/healthz`)).status, 200, 'still serving after the reload');
    assert.deepEqual(directive('KillSignal'), ['SIGTERM']);
    assert.equal(await started.stop(), 0);
  });
});

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version']).status === 0;
}
