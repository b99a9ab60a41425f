import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closest } from '../../src/args.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('an unknown option says so in our words and suggests the closest known option', () => {
  it.each([
    [['plan', '--answer', 'answers.yaml'], 'unknown option --answer; did you mean --answers?'],
    [['plan', '--ansewrs', 'answers.yaml'], 'unknown option --ansewrs; did you mean --answers?'],
    [['plan', '--answer=answers.yaml'], 'unknown option --answer; did you mean --answers?'],
    [['plan', '-answers', 'answers.yaml'], 'unknown option -answers; did you mean --answers?'],
    [['plan', '--detailed'], 'unknown option --detailed; did you mean --detailed-exitcode?'],
    [['verify', '--reprot', 'r.md'], 'unknown option --reprot; did you mean --report?'],
  ])('%j: "%s", exit 2, nothing sent', async (argv, says) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${says}\n`);
    expect(run.stderr).toContain('See `aws-groundwork --help` for every option.');
    // Not node:util's text, which tells a person about positional arguments they never meant.
    expect(run.stderr).not.toMatch(/positional argument|Unknown option '/);
    expect(fake.calls).toEqual([]);
  });

  it('-x: lists the short options rather than guessing one letter from another', async () => {
    const run = await cli(['plan', '-x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: unknown option -x\n');
    expect(run.stderr).toContain('Short options: -y (--yes), -h (--help), -v (--version).');
    expect(run.stderr).not.toContain('did you mean');
  });

  it('an option nothing is near to is named without a guess', async () => {
    const run = await cli(['apply', '--dry-run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: unknown option --dry-run\n');
    expect(run.stderr).not.toContain('did you mean');
  });

  it('a missing value, a value where none is taken, and an option where a value should be are each said plainly', async () => {
    expect((await cli(['plan', '--answers'])).stderr).toContain('error: --answers needs a value\n');
    expect((await cli(['apply', '--yes=1'])).stderr).toContain('error: --yes takes no value (got "1")\n');
    const swallowed = await cli(['plan', '--answers', '--yes']);
    expect(swallowed.code).toBe(2);
    expect(swallowed.stderr).toContain('error: --answers needs a value, and is followed by the option --yes\n');
    expect(swallowed.stderr).toContain('A value that starts with "-" is written --answers=--yes.');
  });
});

describe('an unknown command suggests the closest command', () => {
  it.each([
    ['pln', 'unknown command "pln"; did you mean plan?'],
    ['verfy', 'unknown command "verfy"; did you mean verify?'],
    ['aply', 'unknown command "aply"; did you mean apply?'],
    ['permission', 'unknown command "permission"; did you mean permissions?'],
    ['answers.yaml', 'unknown command "answers.yaml"; did you mean --answers answers.yaml?'],
    ['deploy', 'unknown command "deploy"\n'],
  ])('%s: "%s", exit 2, nothing sent', async (word, says) => {
    const run = await cli([word]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error: ${says}`);
    expect(run.stderr).toContain('Commands: plan, apply, verify, answers, permissions');
    expect(fake.calls).toEqual([]);
  });

  it('a mistyped step id in --only or --skip suggests the step', async () => {
    const run = await cli(['plan', '--only', 'pasword-policy']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: --only: "pasword-policy" is not a step; did you mean password-policy?');
  });
});

describe('the closest known word', () => {
  it('counts a swap of neighbours as one edit, allows one edit in short words and two in longer ones, and takes a prefix', () => {
    const known = ['answers', 'apply', 'plan', 'yes', 'detailed-exitcode'];
    expect(closest('ansewrs', known)).toBe('answers');
    expect(closest('answer', known)).toBe('answers');
    expect(closest('pln', known)).toBe('plan');
    expect(closest('yse', known)).toBe('yes');
    expect(closest('ys', known)).toBe('yes');
    expect(closest('no', known)).toBeUndefined();
    expect(closest('xyz', known)).toBeUndefined();
    expect(closest('detailed', known)).toBe('detailed-exitcode');
  });
});
