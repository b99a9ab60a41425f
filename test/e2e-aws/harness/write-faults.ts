/**
 * Scenario d of the end-to-end suite: the full apply of a fresh organization, disturbed at one write
 * at a time, must converge to exactly what an undisturbed run leaves. The positions are those of an
 * undisturbed run, measured when the file is collected: every write that creates or moves something,
 * and an even spread of the rest (every write of a five-member apply would take too long for CI, so
 * these scenarios apply every step to an environment member and the log-archive member, which keeps
 * the trail's key and buckets; scenario a does all five).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_ANSWERS, LOG_ARCHIVE, REGION, logBucket, trailBucket } from '../answers.js';
import { accountNames, inventory, readState, type EmulatorState } from './aws-state.js';
import { baseEnv, MANAGEMENT, runBin, tempDir, writeAnswers, type BinRun } from './cli.js';
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
  names: Map<string, string>;
}

/** A write as the tests name it: its operation and the account it was made in, by name (ids differ per emulator). */
const named = (w: Exchange | undefined, names: Map<string, string>) =>
  `${w?.service}:${w?.operation} in ${names.get(w?.account ?? MANAGEMENT) ?? w?.account}`;

/**
 * What the undisturbed run must leave, once each: the trail's key (with its alias and our tag) and both
 * buckets in log-archive and nothing of theirs in the management account, the trail in the management
 * account delivering to log-archive, and one account per member email.
 */
const ONCE_EACH = {
  keys: [`${LOG_ARCHIVE} alias/aws-groundwork/acme-org-trail aws-groundwork:trail=acme-org-trail`],
  buckets: [`${LOG_ARCHIVE} ${logBucket(LOG_ARCHIVE)}`, `${LOG_ARCHIVE} ${trailBucket(LOG_ARCHIVE)}`],
  trails: [`management acme-org-trail -> ${trailBucket(LOG_ARCHIVE)}`],
  members: [`${LOG_ARCHIVE} aws+log-archive@acme.example ou:Security`],
};

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
      return {
        writes: w.proxy.writesSeen,
        state: await readState(w.emulator.url, REGION),
        names: await accountNames(w.emulator.url, REGION),
      };
    });
  }
  const chosen = (w: Exchange, others: number) => AMBIGUOUS.test(w.operation) || others % spreadEvery === 0;
  let others = 0;
  const positions: [number, string][] = (clean?.writes ?? [])
    .map((w, i) => [i + 1, w] as const)
    .filter(([, w]) => chosen(w, AMBIGUOUS.test(w.operation) ? 0 : others++))
    .map(([k, w]) => [k, named(w, (clean as Clean).names)]);

  describe.skipIf(emulatorMissing !== null)(title, () => {
    afterAll(async () => {
      await worlds?.stop();
    });

    it(`measures the undisturbed apply: ${clean?.writes.length} writes, ${positions.length} of them disturbed below (every one that creates or moves something, one in ${spreadEvery} of the rest)`, () => {
      const c = clean as Clean;
      // The layout is among them: the key and buckets are made in log-archive, through its admin role,
      // and the trail in the management account.
      expect(new Set(c.writes.filter((w) => AMBIGUOUS.test(w.operation)).map((w) => named(w, c.names)))).toEqual(
        new Set([
          'iam:CreateAccountAlias in management',
          'iam:CreateGroup in management',
          'iam:CreatePolicy in management',
          'organizations:CreateOrganization in management',
          'organizations:CreateOrganizationalUnit in management',
          'organizations:CreateAccount in management',
          'organizations:MoveAccount in management',
          'cloudtrail:CreateTrail in management',
          `iam:CreateAccountAlias in ${LOG_ARCHIVE}`,
          `kms:CreateKey in ${LOG_ARCHIVE}`,
          `kms:CreateAlias in ${LOG_ARCHIVE}`,
          `s3:CreateBucket in ${LOG_ARCHIVE}`,
        ]),
      );
      // Every write to a key or a bucket goes to log-archive, none to the management account.
      expect(
        new Set(c.writes.filter((w) => w.service === 'kms' || w.service === 's3').map((w) => c.names.get(w.account ?? MANAGEMENT))),
      ).toEqual(new Set([LOG_ARCHIVE]));
      expect(inventory(c.state)).toEqual(ONCE_EACH);
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
          w.proxy.fault = null;

          // After a kill, apply again; after a lost answer the same run must end well by itself. Either
          // way the run that finished verified every control (apply exits 0 only when verify passes).
          const finished = kind === 'kill' ? await gw('apply', '--yes') : first;
          expect(finished.code, finished.stderr).toBe(0);
          // The one manual finding is the emulator's (it always reports the management root user without
          // MFA); the logs' place is not among them: they are in log-archive.
          expect(finished.stdout).toMatch(/Controls: \d+ pass, 0 fail, 1 manual, 0 error\./);
          const plan = await gw('plan', '--detailed-exitcode');
          expect(plan.code, plan.stdout).toBe(0);
          // The write disturbed is the one measured, in the same account (named: this emulator drew other ids).
          expect(named(hit, await accountNames(w.emulator.url, REGION))).toBe(named(expected, (clean as Clean).names));
          // Exactly what the undisturbed run left: no second account, OU, key, bucket, trail, policy or
          // group; first the things that must exist once, where they must be, for a short message.
          const state = await readState(w.emulator.url, REGION);
          expect(inventory(state)).toEqual(ONCE_EACH);
          expect(state).toEqual((clean as Clean).state);
        }),
      120_000,
    );
  });
}
