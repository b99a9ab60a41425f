import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestHost } from '../../src/io/test-host.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { EXAMPLE_ANSWERS, answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

const NOTICE = 'Node 20.19.0 works; Node 22 or newer is recommended (AWS SDK releases from 2027 need it).';
const ALIAS_ONLY = ['--only', 'account-alias'];

/** A person at the wizard who stops at the plan: enough to see every message before it. */
const person = () => new TestHost({ 'GW_ASK_account-alias.alias': ['acme'], GW_APPROVE_PLAN: ['stop'] });

describe('the Node.js notice', () => {
  it('is said once in the wizard at a terminal, right after the line that says who and where', async () => {
    const host = person();
    await cli(ALIAS_ONLY, { host, nodeVersion: '20.19.0' });
    const codes = host.messages.map((m) => m.code);
    expect(codes.filter((c) => c === 'GW_NODE_VERSION')).toHaveLength(1);
    expect(codes.indexOf('GW_NODE_VERSION')).toBe(codes.indexOf('GW_CALLER') + 1);
    expect(host.messages.find((m) => m.code === 'GW_NODE_VERSION')?.text).toBe(NOTICE);
  });

  it('stays right after that line when the wizard reads an answers file, whatever steps it skips', async () => {
    const host = person();
    await cli(['--answers', answersFile(EXAMPLE_ANSWERS), ...ALIAS_ONLY], { host, nodeVersion: '20.19.0' });
    const codes = host.messages.map((m) => m.code);
    expect(codes).toContain('GW_STEP_SKIPPED');
    expect(codes.filter((c) => c === 'GW_NODE_VERSION')).toHaveLength(1);
    expect(codes.indexOf('GW_NODE_VERSION')).toBe(codes.indexOf('GW_CALLER') + 1);
  });

  it.each([
    ['plan', ['plan']],
    ['verify', ['verify']],
    ['apply --yes', ['apply', '--yes']],
  ])('is not printed by %s, which scripts and CI run every day', async (_name, argv) => {
    const run = await cli([...argv, '--answers', answersFile(EXAMPLE_ANSWERS)], { nodeVersion: '20.19.0' });
    expect(run.stderr).toContain('Account 111111111111 as');
    expect(run.stderr).not.toContain('Node 22');
  });

  it('is not said on Node 22 or newer', async () => {
    const host = person();
    await cli(ALIAS_ONLY, { host, nodeVersion: '22.11.0' });
    expect(host.messages.map((m) => m.code)).not.toContain('GW_NODE_VERSION');
  });
});
