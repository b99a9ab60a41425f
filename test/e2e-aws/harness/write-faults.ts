/**
 * Scenario d of the end-to-end suite: the full apply of a fresh organization, disturbed at one write
 * at a time, must converge to exactly what an undisturbed run leaves. The positions are those of an
 * undisturbed run, measured when the file is collected: every write that creates or moves something,
 * and an even spread of the rest (every write of a three-member apply would take too long for CI, so
 * these scenarios apply every step to one member account; scenario a does three).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_ANSWERS, REGION } from '../answers.js';
import { readState, type EmulatorState } from './aws-state.js';
import { baseEnv, runBin, tempDir, writeAnswers, type BinRun } from './cli.js';
import type { Exchange, Fault } from './proxy.js';
import { emulatorMissing, Worlds } from './suite.js';

/** Writes that could make a second thing, or fail on the first, if sent again: every one is disturbed. */
const AMBIGUOUS = /^(Create|Move)/;
/** Of the other writes (settings, tags, contacts: idempotent), one in this many is disturbed. */
const spreadEvery = 5;
/** Emulators side by side: each case mostly waits on processes. */
const PARALLEL = 2;

interface Clean {
  writes: Exchange[];
  state: EmulatorState;
}

export async function writeFaultSuite(kind: Fault['kind'], title: string, label: string): Promise<void> {
  let worlds: Worlds | undefined;
  let clean: Clean | undefined;
  if (!emulatorMissing) {
    // Accounts are ready at once here: waiting for them is scenario a's and the lost-answer tests'.
    worlds = await Worlds.start(PARALLEL, { EMULATOR_ACCOUNT_CREATION_SECONDS: '0' });
    clean = await worlds.use(async (w) => {
      const home = tempDir();
      const run = await runBin(
        w.bin,
        ['apply', '--yes', '--answers', writeAnswers(home, FAULT_ANSWERS), '--endpoint-url', w.proxy.url],
        baseEnv(home),
      );
      if (run.code !== 0) throw new Error(`the undisturbed apply failed (${run.code}):\n${run.stderr}`);
      return { writes: w.proxy.writesSeen, state: await readState(w.emulator.url, REGION) };
    });
  }
  const chosen = (w: Exchange, others: number) => AMBIGUOUS.test(w.operation) || others % spreadEvery === 0;
  let others = 0;
  const positions: [number, string][] = (clean?.writes ?? [])
    .map((w, i) => [i + 1, w] as const)
    .filter(([, w]) => chosen(w, AMBIGUOUS.test(w.operation) ? 0 : others++))
    .map(([k, w]) => [k, `${w.service}:${w.operation}`]);

  describe.skipIf(emulatorMissing !== null)(title, () => {
    afterAll(async () => {
      await worlds?.stop();
    });

    it(`measures the undisturbed apply: ${clean?.writes.length} writes, ${positions.length} of them disturbed below (every one that creates or moves something, one in ${spreadEvery} of the rest)`, () => {
      expect(new Set(clean?.writes.filter((w) => AMBIGUOUS.test(w.operation)).map((w) => `${w.service}:${w.operation}`))).toEqual(
        new Set([
          'iam:CreateAccountAlias',
          'iam:CreateGroup',
          'iam:CreatePolicy',
          'organizations:CreateOrganization',
          'kms:CreateKey',
          'kms:CreateAlias',
          's3:CreateBucket',
          'cloudtrail:CreateTrail',
          'organizations:CreateOrganizationalUnit',
          'organizations:CreateAccount',
          'organizations:MoveAccount',
        ]),
      );
    });

    it.concurrent.each(positions)(
      `write %i, %s, ${label}`,
      (k) =>
        (worlds as Worlds).use(async (w) => {
          const home = tempDir();
          const answers = writeAnswers(home, FAULT_ANSWERS);
          const gw = (...args: string[]): Promise<BinRun> =>
            runBin(w.bin, [...args, '--answers', answers, '--endpoint-url', w.proxy.url], baseEnv(home));
          const expected = (clean as Clean).writes[k - 1] as Exchange;

          let first: BinRun;
          if (kind === 'lose-answer') {
            w.proxy.fault = { at: k, kind: 'lose-answer' };
            first = await gw('apply', '--yes');
          } else {
            first = await runBin(w.bin, ['apply', '--yes', '--answers', answers, '--endpoint-url', w.proxy.url], baseEnv(home), {
              started: (child) => {
                w.proxy.fault = {
                  at: k,
                  kind: 'kill',
                  kill: () =>
                    new Promise<void>((resolve) => {
                      child.once('exit', () => resolve());
                      child.kill('SIGKILL');
                    }),
                };
              },
            });
            expect(first.signal).toBe('SIGKILL');
          }
          const hit = w.proxy.writesSeen[k - 1];
          expect(`${hit?.service}:${hit?.operation}`).toBe(`${expected.service}:${expected.operation}`);
          w.proxy.fault = null;

          // After a kill, apply again; after a lost answer the same run must end well by itself. Either
          // way the run that finished verified every control (apply exits 0 only when verify passes).
          const finished = kind === 'kill' ? await gw('apply', '--yes') : first;
          expect(finished.code, finished.stderr).toBe(0);
          expect(finished.stdout).toMatch(/Controls: \d+ pass, 0 fail, \d+ manual, 0 error\./);
          const plan = await gw('plan', '--detailed-exitcode');
          expect(plan.code, plan.stdout).toBe(0);
          // Exactly what the undisturbed run left: no second account, OU, key, bucket, trail, policy or group.
          expect(await readState(w.emulator.url, REGION)).toEqual((clean as Clean).state);
        }),
      120_000,
    );
  });
}
