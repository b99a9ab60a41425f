/**
 * Scenario e: the wizard of the installed package, in a real terminal (tmux), against the emulator:
 * from the first question to a verified account, without a fake anywhere in the process.
 */
import { expect, it } from 'vitest';
import { Terminal, tmuxAvailable } from '../helpers/tmux.js';
import { REGION } from './answers.js';
import { readState } from './harness/aws-state.js';
import { MANAGEMENT, baseEnv, runBin, tempDir } from './harness/cli.js';
import { e2eSuite } from './harness/suite.js';

e2eSuite('the packed package against the emulator: the wizard in a real terminal', (use) => {
  it.skipIf(!tmuxAvailable() && !process.env.CI)(
    'e. goes from the first question to a verified account, and the answers it saves replay to an empty plan',
    () =>
      use(async (w) => {
        const home = tempDir();
        const env = { ...baseEnv(home), TERM: 'xterm-256color', AWS_REGION: REGION, AWS_ENDPOINT_URL: w.proxy.url };
        const t = new Terminal(home);
        try {
          // The management account's baseline; the organization and members are scenario a's.
          t.start(
            [w.bin, '--only', 'account-alias,password-policy,admin-group,mfa-enforcement,s3-block-public-access,security-contacts'],
            env,
            home,
          );
          const start = await t.waitFor('Account alias: Alias for the sign-in URL', 30_000);
          expect(start).toContain(
            `Account 123456789012 as arn:aws:sts::123456789012:user/moto, home region ${REGION}, endpoint ${w.proxy.url}.`,
          );
          expect(start).toContain('Sign-in alias: none yet');
          t.type('acme');
          t.send('Enter');
          for (const question of [
            'Minimum password length',
            'How many previous passwords',
            'Days before a password expires',
            'Admin group: The admin group',
            // Admin users: the first choice, nobody new.
            'Admin group: who signs in as an admin?',
          ]) {
            await t.waitFor(question);
            t.send('Enter');
          }
          const answers: [string, string][] = [
            ["Security contact's name", 'Jane Founder'],
            ["Security contact's title", 'CTO'],
            ["Security contact's email", 'security@acme.example'],
            ["Security contact's phone", '+1 555 0100'],
          ];
          for (const [question, text] of answers) {
            await t.waitFor(question);
            t.type(text);
            t.send('Enter');
          }
          const plan = await t.waitFor('Apply these', 30_000);
          expect(plan).toMatch(/Where each step stands:\n\s+to do\s+account-alias/);
          expect(plan).toMatch(/Plan: \d+ to create, 0 to update, 0 to delete\./);
          t.send('Enter');
          const verified = await t.waitFor('Save these answers to a file', 60_000);
          expect(verified).toMatch(/Controls: \d+ pass, 0 fail, 0 manual, 0 error\./);
          expect(verified).toMatch(/PASS\s+CIS 2\.1\.4/);
          t.send('Enter');
          await t.waitFor('File name:');
          t.send('Enter');
          await t.waitFor('Check the account again any time: npx aws-groundwork verify --answers aws-groundwork.yaml');
          expect(await t.exitCode()).toBe(0);
        } finally {
          t.close();
        }
        // The emulator holds it, and the saved answers replay to an empty plan without a terminal.
        const state = await readState(w.emulator.url, REGION);
        expect(state.baseline.management?.iam.aliases).toEqual(['acme']);
        expect(state.baseline.management?.iam.groups.Admins).toContain('arn:aws:iam::aws:policy/AdministratorAccess');
        const replay = await runBin(w.bin, ['plan', '--detailed-exitcode', '--answers', 'aws-groundwork.yaml'], env);
        expect(replay.code, replay.stdout + replay.stderr).toBe(0);
        expect(replay.stdout).toContain('No changes.');
      }),
    120_000,
  );

  it.skipIf(!tmuxAvailable() && !process.env.CI)(
    'e2. with the default environments and one email, creates dev, staging and prod in their OUs and ends with every control verified in four accounts',
    () =>
      use(async (w) => {
        const home = tempDir();
        const env = { ...baseEnv(home), TERM: 'xterm-256color', AWS_REGION: REGION, AWS_ENDPOINT_URL: w.proxy.url };
        const t = new Terminal(home);
        try {
          t.start([w.bin], env, home);
          // People sign in as IAM users (the second choice): Identity Center's questions are left to the
          // terminal tests, and this scenario's time to the member accounts.
          await t.waitFor('How will people sign in to AWS?', 30_000);
          t.send('Down');
          t.send('Enter');
          await t.waitFor('Account alias: Alias for the sign-in URL', 30_000);
          t.type('acme');
          t.send('Enter');
          const defaults = [
            'Minimum password length',
            'How many previous passwords',
            'Days before a password expires',
            'Admin group: The admin group',
            'Admin group: who signs in as an admin?',
            'Member accounts: create a separate AWS account for each environment',
            'Member accounts: environments, one new account each',
          ];
          for (const question of defaults) {
            await t.waitFor(question);
            t.send('Enter');
          }
          const note = await t.waitFor('Member accounts: an email address of yours that receives mail');
          expect(note).toContain('+ addressing works with most mail providers');
          t.type('aws@acme.example');
          t.send('Enter');
          await t.waitFor('Member accounts: put prod in its own OU (Prod)');
          t.type('y');
          t.send('Enter');
          // The log-archive and security-tooling accounts: declined, this scenario is the environments'.
          await t.waitFor('Member accounts: add a log-archive account');
          t.type('n');
          t.send('Enter');
          const review = await t.waitFor('Member accounts: use these names, emails and OUs?');
          expect(review).toMatch(/acme-staging\s+aws\+staging@acme\.example\s+OU Workloads/);
          t.send('Enter');
          for (const question of ['Organization trail: Name of the organization trail', 'Days to keep trail logs']) {
            await t.waitFor(question);
            t.send('Enter');
          }
          for (const [question, text] of [
            ["Security contact's name", 'Jane Founder'],
            ["Security contact's title", 'CTO'],
            ["Security contact's email", 'security@acme.example'],
            ["Security contact's phone", '+1 555 0100'],
            ['Cost alerts: monthly budget in US dollars', '100'],
            ['Cost alerts: email addresses that get the budget and cost anomaly alerts', 'billing@acme.example'],
          ] as const) {
            await t.waitFor(question);
            t.type(text);
            t.send('Enter');
          }
          const plan = await t.waitFor('Apply these', 60_000);
          expect(plan).toMatch(/to do\s+member-accounts\s+Member accounts: 5 to create/);
          t.send('Enter');
          const verified = await t.waitFor('Save these answers to a file', 240_000);
          for (const name of ['management', 'acme-dev', 'acme-staging', 'acme-prod'])
            expect(verified).toMatch(new RegExp(`^Account \\d{12} \\(${name}\\)$`, 'm'));
          // The manual checks: the management account's root MFA, which only its root user can add (and
          // the emulator always reports missing), and the trail's logs, in the management account
          // without a log-archive account; and threat detection (GuardDuty, the analyzer), which needs the
          // security-tooling account the wizard's default declines.
          expect(verified).toMatch(/Controls: \d+ pass, 0 fail, 4 manual, 0 error\./);
          expect(verified).toMatch(/MANUAL SSB ACCT\.14\s+threat-detection/);
          expect(verified).toMatch(/MANUAL CIS 1\.4\s+root-credentials\s+the root user has no MFA/);
          expect(verified).toMatch(/MANUAL GW\.LOG-ARCHIVE\s+org-trail/);
          t.send('Enter');
          await t.waitFor('File name:');
          t.send('Enter');
          expect(await t.exitCode()).toBe(0);
        } finally {
          t.close();
        }
        const state = await readState(w.emulator.url, REGION);
        const members = Object.entries(state.accounts)
          .filter(([id]) => id !== MANAGEMENT)
          .map(([, a]) => a);
        expect(members.map((a) => `${a.name} ${a.email} ${a.parent} ${a.tags.environment}`).sort()).toEqual([
          'acme-dev aws+dev@acme.example ou:Workloads dev',
          'acme-prod aws+prod@acme.example ou:Prod prod',
          'acme-staging aws+staging@acme.example ou:Workloads staging',
        ]);
        const replay = await runBin(w.bin, ['apply', '--yes', '--answers', 'aws-groundwork.yaml'], env);
        expect(replay.code, replay.stdout + replay.stderr).toBe(0);
        expect(replay.stdout).toContain('No changes.');
      }),
    420_000,
  );
});
