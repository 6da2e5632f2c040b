// The GitHub App's credentials as the environment and DATA_DIR/.env give them: the private key
// checked at start with a message that says what is wrong, quotes from `docker --env-file`, and the
// credentials file written so that Node's .env reader and docker read the same values.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import { credentialsPath, loadCredentialsFile, saveCredentials, unwritableReason } from '../src/config/credentials-file.js';
import { EnvError, readEnv } from '../src/config/env.js';
import { testPrivateKey } from './helpers/server-process.js';

const PEM = testPrivateKey();
const ESCAPED = PEM.replace(/\n/g, '\\n');
const app = (env: Record<string, string>) => readEnv({ APP_ID: '12', WEBHOOK_SECRET: 'secret', ...env });
const tempDir = () => mkdtempSync(join(tmpdir(), 'ci-orchestrator-env-'));

/** Asserts readEnv refuses with a message matching `message`, and that the key is not in it. */
function refuses(env: Record<string, string>, message: RegExp): void {
  assert.throws(
    () => app(env),
    (err: Error) => {
      assert.ok(err instanceof EnvError, String(err));
      assert.match(err.message, message);
      assert.ok(!err.message.includes(PEM.split('\n')[1]!), 'the key is not in the message');
      return true;
    },
  );
}

describe('PRIVATE_KEY', () => {
  it('takes a PEM with real newlines, with \\n escapes, or base64-encoded', () => {
    for (const key of [PEM, ESCAPED, Buffer.from(PEM).toString('base64')]) {
      const options = app({ PRIVATE_KEY: key });
      assert.equal(options.github?.privateKey, PEM);
      assert.deepEqual(options.warnings, []);
    }
  });

  it('strips the quotes docker --env-file keeps, with a warning that says so', () => {
    for (const key of [`"${ESCAPED}"`, `'${ESCAPED}'`, `"${PEM}"`]) {
      const options = app({ PRIVATE_KEY: key });
      assert.equal(options.github?.privateKey, PEM);
      assert.equal(options.warnings.length, 1);
      assert.match(
        options.warnings[0]!,
        /^PRIVATE_KEY is wrapped in quotes \(docker --env-file keeps quotes as part of the value\); using it without them: remove them/,
      );
    }
  });

  it('refuses a bad key at start, saying what is wrong', () => {
    refuses(
      { PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----' },
      /^PRIVATE_KEY is not a valid private key: /,
    );
    refuses({ PRIVATE_KEY: 'not a key' }, /^PRIVATE_KEY is neither a PEM private key .* nor a base64-encoded one/);
    refuses(
      { PRIVATE_KEY: '"-----BEGIN RSA PRIVATE KEY-----' },
      /^PRIVATE_KEY starts with a quote but does not end with one: a multi-line value was cut at its first line/,
    );
    refuses({ PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----' }, /^PRIVATE_KEY has no "-----END \.\.\. PRIVATE KEY-----" line/);
    refuses({ PRIVATE_KEY: PEM.replace(/\n/g, ' ') }, /^PRIVATE_KEY is not a valid private key \(its line breaks are missing/);
    const publicKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    refuses({ PRIVATE_KEY: publicKey }, /^PRIVATE_KEY is a public key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    refuses({ PRIVATE_KEY: ec }, /^PRIVATE_KEY is a ec key; GitHub App keys are RSA/);
  });

  it('checks the other credentials first, so the message names what is missing', () => {
    refuses({ PRIVATE_KEY: 'garbage', WEBHOOK_SECRET: '' }, /WEBHOOK_SECRET is not/);
    assert.throws(() => readEnv({ PRIVATE_KEY: PEM }), /PRIVATE_KEY is set but APP_ID is not/);
    refuses({ APP_ID: 'my-app', PRIVATE_KEY: PEM }, /^APP_ID must be the App's numeric id/);
  });

  it('strips quotes from APP_ID and WEBHOOK_SECRET too, with a warning each', () => {
    const options = readEnv({ APP_ID: '"12"', WEBHOOK_SECRET: "'secret'", PRIVATE_KEY: PEM });
    assert.equal(options.github?.appId, '12');
    assert.equal(options.github?.webhookSecret, 'secret');
    assert.deepEqual(
      options.warnings.map((w) => w.split(' ')[0]),
      ['APP_ID', 'WEBHOOK_SECRET'],
    );
  });
});

describe('PRIVATE_KEY_PATH', () => {
  it('reads and checks the file, and strips quotes around the path', () => {
    const file = join(tempDir(), 'app.pem');
    writeFileSync(file, PEM);
    assert.equal(app({ PRIVATE_KEY_PATH: file }).github?.privateKey, PEM);
    const quoted = app({ PRIVATE_KEY_PATH: `"${file}"` });
    assert.equal(quoted.github?.privateKey, PEM);
    assert.match(quoted.warnings[0]!, /^PRIVATE_KEY_PATH is wrapped in quotes/);
  });

  it('names the file and the problem', () => {
    const dir = tempDir();
    refuses(
      { PRIVATE_KEY_PATH: join(dir, 'missing.pem') },
      new RegExp(`^cannot read PRIVATE_KEY_PATH ${join(dir, 'missing.pem')}: ENOENT`),
    );
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, 'hello');
    refuses({ PRIVATE_KEY_PATH: bad }, new RegExp(`^the file at PRIVATE_KEY_PATH \\(${bad}\\) is neither a PEM private key`));
    writeFileSync(bad, `"${PEM}"`);
    refuses({ PRIVATE_KEY_PATH: bad }, /is wrapped in quotes: remove them/);
  });
});

describe('the credentials file, DATA_DIR/.env', () => {
  it('defaults to the working directory', () => {
    assert.equal(readEnv({}).dataDir, process.cwd());
    assert.equal(readEnv({ DATA_DIR: '/data' }).dataDir, '/data');
  });

  it('is written with mode 0600, keeps other lines, and reads back the same values through Node and docker', () => {
    const dir = tempDir();
    writeFileSync(credentialsPath(dir), '# mine\nGITLAB_TOKEN=glpat-x\nWEBHOOK_SECRET="old\nstill old"\nAPP_ID=1\n', { mode: 0o644 });
    const file = saveCredentials(dir, { APP_ID: '42', PRIVATE_KEY: PEM, WEBHOOK_SECRET: 'new-secret' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.equal(text, `# mine\nGITLAB_TOKEN=glpat-x\nAPP_ID=42\nPRIVATE_KEY=${ESCAPED}\nWEBHOOK_SECRET=new-secret\n`);
    // docker --env-file takes everything after the first '=' literally: the same line works there.
    const dockerValue = text
      .split('\n')
      .find((l) => l.startsWith('PRIVATE_KEY='))!
      .slice('PRIVATE_KEY='.length);
    for (const value of [(parseEnv(text) as Record<string, string>).PRIVATE_KEY!, dockerValue]) {
      assert.equal(readEnv({ APP_ID: '42', WEBHOOK_SECRET: 's', PRIVATE_KEY: value }).github?.privateKey, PEM);
    }
  });

  it('is loaded without overriding the environment, and a file others can read is warned about', () => {
    const dir = tempDir();
    saveCredentials(dir, { APP_ID: '42', WEBHOOK_SECRET: 'from-file' });
    const env: NodeJS.ProcessEnv = { DATA_DIR: dir, WEBHOOK_SECRET: 'from-env' };
    assert.deepEqual(loadCredentialsFile(env), { file: credentialsPath(dir), warnings: [] });
    assert.equal(env.APP_ID, '42');
    assert.equal(env.WEBHOOK_SECRET, 'from-env');
    chmodSync(credentialsPath(dir), 0o644);
    assert.match(loadCredentialsFile({ DATA_DIR: dir }).warnings[0]!, /other users may read it: chmod 600/);
    assert.deepEqual(loadCredentialsFile({ DATA_DIR: join(dir, 'none') }), { warnings: [] });
  });

  it('refuses a value that would not read back the same', () => {
    assert.throws(() => saveCredentials(tempDir(), { WEBHOOK_SECRET: 'a#b' }), /WEBHOOK_SECRET cannot be written .* unquoted/);
  });

  it('says why a directory cannot take it', () => {
    const dir = tempDir();
    assert.equal(unwritableReason(join(dir, 'new')), undefined, 'created when missing');
    assert.match(unwritableReason(join(dir, 'no', 'such')) ?? '', /: ENOENT$/, 'but not its parents');
    const file = join(dir, 'file');
    writeFileSync(file, '');
    assert.match(unwritableReason(file) ?? '', new RegExp(`^DATA_DIR ${file} is not writable by this process .*: (EEXIST|ENOTDIR)`));
  });
});
