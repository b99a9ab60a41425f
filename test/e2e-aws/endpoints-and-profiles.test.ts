/**
 * Scenario f: the ways a person points the installed package at an AWS: the --endpoint-url flag,
 * AWS_ENDPOINT_URL, and a named profile from ~/.aws/config and ~/.aws/credentials.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REGION } from './answers.js';
import { baseEnv, EMULATOR_CREDENTIALS, runBin, tempDir, writeAnswers } from './harness/cli.js';
import { e2eSuite, type World } from './harness/suite.js';

const ANSWERS = `version: 1
steps:
  account-alias: { alias: acme }
  s3-block-public-access: {}
`;

/** A plan of two steps through one way of reaching the emulator: it must exit 0 and reach the proxy. */
async function planReaches(w: World, args: string[], env: Record<string, string>): Promise<void> {
  const run = await runBin(w.bin, ['plan', '--answers', writeAnswers(env.HOME as string, ANSWERS), ...args], env);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('Plan: 2 to create');
  expect(run.stderr).toContain(`endpoint ${w.proxy.url}`);
  const operations = new Set(w.proxy.log.map((e) => `${e.service}:${e.operation}`));
  expect(operations).toEqual(new Set(['sts:GetCallerIdentity', 'iam:ListAccountAliases', 's3control:GetPublicAccessBlock']));
}

e2eSuite('the packed package against the emulator: endpoints and profiles', (use) => {
  it(
    'f. --endpoint-url sends every call to the given endpoint',
    () =>
      use(async (w) => {
        const home = tempDir();
        await planReaches(w, ['--endpoint-url', w.proxy.url, '--region', REGION], baseEnv(home));
      }),
    60_000,
  );

  it(
    'f. AWS_ENDPOINT_URL does the same without the flag',
    () =>
      use(async (w) => {
        const home = tempDir();
        await planReaches(w, [], baseEnv(home, { AWS_ENDPOINT_URL: w.proxy.url, AWS_REGION: REGION }));
      }),
    60_000,
  );

  it(
    'f. a named profile from a temporary ~/.aws/config and ~/.aws/credentials gives the credentials and the region',
    () =>
      use(async (w) => {
        const home = tempDir();
        mkdirSync(join(home, '.aws'));
        writeFileSync(join(home, '.aws', 'config'), `[default]\nregion = us-west-2\n\n[profile founder]\nregion = ${REGION}\n`);
        writeFileSync(
          join(home, '.aws', 'credentials'),
          `[founder]\naws_access_key_id = ${EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY}\n`,
        );
        const env = baseEnv(home, { AWS_ENDPOINT_URL: w.proxy.url });
        // Only the profile may supply credentials and the region: none in the environment.
        delete env.AWS_ACCESS_KEY_ID;
        delete env.AWS_SECRET_ACCESS_KEY;
        delete env.AWS_CONFIG_FILE;
        delete env.AWS_SHARED_CREDENTIALS_FILE;
        await planReaches(w, ['--profile', 'founder'], env);
        const seen = w.proxy.log.map((e) => e.accessKey);
        expect(new Set(seen)).toEqual(new Set([EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID]));
        // The profile's region, not the default profile's.
        const who = await runBin(w.bin, ['plan', '--profile', 'founder', '--answers', writeAnswers(home, ANSWERS)], env);
        expect(who.stderr).toContain(`home region ${REGION}`);
        // A profile that does not exist is a clear credentials error, exit 1, not a hang.
        const missing = await runBin(w.bin, ['plan', '--profile', 'nobody', '--answers', writeAnswers(home, ANSWERS)], env, {
          timeoutMs: 30_000,
        });
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/no usable AWS credentials|nobody/);
      }),
    60_000,
  );
});
