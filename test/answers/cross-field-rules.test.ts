import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAnswersText, validateAnswers } from '../../src/answers/answers.js';
import { InvalidAnswersError } from '../../src/errors.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { FULL_EXAMPLE } from '../helpers/full-example.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const members = (...lines: string[]) => `  member-accounts:\n    accounts:\n${lines.map((l) => `      - ${l}\n`).join('')}`;
const file = (body: string) => `version: 1\nsteps:\n${body}`;

/** The issues validation reports for a file, as `path: message` lines. */
function issuesOf(text: string): string[] {
  try {
    validateAnswers(parseAnswersText(text, 'a.yaml'), REGISTRY, 'a.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof InvalidAnswersError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('rules across answers', () => {
  it('two member accounts with the same email are refused by apply --yes before any AWS call, the second one named', async () => {
    const text = file(members('{ name: acme-dev, email: aws@acme.example }', '{ name: acme-prod, email: aws@acme.example }'));
    const run = await cli(['apply', '--yes', '--answers', answersFile(text)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'steps.member-accounts.accounts[1].email: repeats the email of steps.member-accounts.accounts[0].email: an email address belongs to one AWS account only',
    );
    expect(run.stderr).not.toContain('accounts[0].email: repeats');
    expect(fake.calls).toEqual([]);
  });

  it('two member accounts with the same name are refused by apply --yes before any AWS call', async () => {
    const text = file(members('{ name: acme-dev, email: aws+a@acme.example }', '{ name: acme-dev, email: aws+b@acme.example }'));
    const run = await cli(['apply', '--yes', '--answers', answersFile(text)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('steps.member-accounts.accounts[1].name: repeats the name of steps.member-accounts.accounts[0].name');
    expect(fake.calls).toEqual([]);
  });

  it('every repeat is named, each against the first entry it repeats', () => {
    const text = file(
      members(
        '{ name: acme-dev, email: a@acme.example }',
        '{ name: acme-prod, email: b@acme.example }',
        '{ name: acme-stage, email: A@acme.example }',
        '{ name: acme-test, email: B@ACME.EXAMPLE }',
      ),
    );
    expect(issuesOf(text).map((i) => i.split(': ').slice(0, 2).join(': '))).toEqual([
      'steps.member-accounts.accounts[2].email: repeats the email of steps.member-accounts.accounts[0].email',
      'steps.member-accounts.accounts[3].email: repeats the email of steps.member-accounts.accounts[1].email',
    ]);
  });

  it('are reported together with the field problems of the same file', () => {
    const text = file(
      '  account-alias: { alias: Acme }\n' +
        members('{ name: acme-dev, email: aws@acme.example }', '{ name: acme-prod, email: aws@acme.example }') +
        '  org-trail: { bucketName: acme-trail, logBucketName: acme-trail }\n',
    );
    expect(issuesOf(text).map((i) => i.split(':')[0])).toEqual([
      'steps.account-alias.alias',
      'steps.member-accounts.accounts[1].email',
      'steps.org-trail.logBucketName',
    ]);
  });

  it('wait for the values they compare to be valid, so one mistake is reported once', () => {
    // The group name is wrong in itself: that, not "leaves out the admin group", is the problem to fix.
    expect(issuesOf(file('  admin-group: {}\n  mfa-enforcement: { groups: ["Ad mins"] }\n'))).toEqual([
      'steps.mfa-enforcement.groups[0]: must be an IAM group name',
    ]);
    // An admin-group section with a problem of its own is not compared with.
    expect(issuesOf(file('  admin-group: { name: "Ad mins" }\n  mfa-enforcement: {}\n'))).toEqual([
      'steps.admin-group.name: must be letters, digits and + = , . @ _ -',
    ]);
  });

  it('across steps apply only to the steps in the file: without account-alias, two members may share an environment', () => {
    const shared = members('{ name: acme-app-dev, email: aws+app@acme.example }', '{ name: acme-data-dev, email: aws+data@acme.example }');
    expect(issuesOf(file(shared))).toEqual([]);
    expect(issuesOf(file(`  account-alias: false\n${shared}`))).toEqual([]);
    expect(issuesOf(file(`  account-alias: { alias: acme }\n${shared}`))).toHaveLength(1);
  });

  it('a member alias of exactly 63 characters is accepted, and one more is refused', () => {
    const account = members('{ name: acme-dev, email: aws+dev@acme.example }');
    expect(issuesOf(file(`  account-alias: { alias: ${'a'.repeat(59)} }\n${account}`))).toEqual([]);
    expect(issuesOf(file(`  account-alias: { alias: ${'a'.repeat(60)} }\n${account}`))).toEqual([
      `steps.member-accounts.accounts[0].env: makes this account's sign-in alias "${'a'.repeat(60)}-dev" 64 characters, over IAM's 63: shorten steps.account-alias.alias or give this account a shorter env`,
    ]);
  });

  it('a renamed admin group passes when MFA enforcement names it too, in any case', () => {
    expect(issuesOf(file('  admin-group: { name: Administrators }\n  mfa-enforcement: { groups: [administrators] }\n'))).toEqual([]);
    expect(issuesOf(file('  admin-group: { name: Administrators }\n  mfa-enforcement: false\n'))).toEqual([]);
  });

  it('the full example passes every rule', () => {
    expect(issuesOf(FULL_EXAMPLE)).toEqual([]);
  });
});
