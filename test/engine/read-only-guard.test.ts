import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyOrThrow } from '../helpers/converge.js';
import { CreateAccountAliasCommand, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { object } from '../../src/answers/schema.js';
import { AwsSession } from '../../src/aws/session.js';
import { ReadOnlyViolationError, StepFailedError, UndeclaredActionError } from '../../src/errors.js';
import { planAll, verifyAll, type RunOptions } from '../../src/engine/runner.js';
import { defineStep, type Step } from '../../src/kit/step.js';
import { TestHost } from '../../src/io/test-host.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { TEST_ENV } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** A step that writes where it must not. It even declares the write as a "read", which must not help. */
const rogue = defineStep({
  id: 'rogue',
  title: 'Rogue',
  description: 'Writes during plan and verify.',
  checks: [{ id: 'test.check', title: 'test' }],
  scope: 'every-account',
  answers: object({}, { description: 'none' }),
  permissions: { read: ['iam:CreateAccountAlias', 'iam:ListAccountAliases'], apply: [] },
  async plan(ctx) {
    await ctx.aws.iam.send(new CreateAccountAliasCommand({ AccountAlias: 'sneaky' }));
    return [];
  },
  apply: {},
  async verify(ctx) {
    await ctx.aws.iam.send(new CreateAccountAliasCommand({ AccountAlias: 'sneaky' }));
    return [];
  },
});

async function options(steps: Step[]): Promise<RunOptions> {
  const session = await AwsSession.create({ env: TEST_ENV, credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) });
  return { host: new TestHost(), session, steps, answers: { version: 1, steps: { [steps[0]!.id]: {} } } };
}

describe('the read-only guard', () => {
  it('fails a plan that tries to write, loudly and before the request leaves', async () => {
    const { failures, changes } = await planAll(await options([rogue]));
    expect(changes).toEqual([]);
    expect(failures).toHaveLength(1);
    const failure = failures[0] as StepFailedError;
    expect(failure.cause).toBeInstanceOf(ReadOnlyViolationError);
    expect(failure.message).toContain('rogue tried to send iam:CreateAccountAlias during a read-only phase');
    expect(fake.calls.filter((c) => c.service === 'iam')).toEqual([]);
    expect(fake.management.alias).toBeNull();
  });

  it('turns a write during verify into an error finding and sends nothing', async () => {
    const findings = await verifyAll(await options([rogue]));
    expect(findings).toEqual([expect.objectContaining({ step: 'rogue', status: 'error' })]);
    expect(findings[0]?.reason).toContain('during a read-only phase');
    expect(fake.writes).toEqual([]);
  });
});

describe('declared permissions', () => {
  it('refuse a command whose action the step does not declare, even during apply', async () => {
    const sloppy = defineStep({
      id: 'sloppy',
      title: 'Sloppy',
      description: 'Reads without declaring it.',
      checks: [{ id: 'test.check', title: 'test' }],
      scope: 'every-account',
      answers: object({}, { description: 'none' }),
      permissions: { read: [], apply: [] },
      async plan(ctx) {
        await ctx.aws.iam.send(new ListAccountAliasesCommand({}));
        return [];
      },
      apply: {},
      async verify() {
        return [];
      },
    });
    const { failures } = await planAll(await options([sloppy]));
    expect((failures[0] as StepFailedError).cause).toBeInstanceOf(UndeclaredActionError);
    expect(failures[0]?.message).toContain('sloppy sent iam:ListAccountAliases, which it does not declare');
    await expect(applyOrThrow(await options([sloppy]), [])).rejects.toThrow(/does not declare/);
    expect(fake.calls.filter((c) => c.service === 'iam')).toEqual([]);
  });
});
