import { Writable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InteractiveHost, NonInteractiveHost } from '../../src/io/terminal-host.js';
import { describeDiff, renderFindings, renderPlan } from '../../src/io/render.js';
import type { Change, Finding } from '../../src/model.js';

class Tty extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const account = { id: '111111111111', name: 'management', role: 'management' as const };
const replace: Change = {
  step: 'account-alias',
  account,
  address: 'iam:account-alias',
  action: 'replace',
  before: 'old',
  after: 'new',
  risk: 'destructive',
  summary: 'replace the account alias',
  operation: { kind: 'set-alias', input: { alias: 'new' } },
};
const failing: Finding = {
  step: 'password-policy',
  check: 'password-policy.minimum-length',
  account,
  resource: 'iam:account-password-policy',
  status: 'fail',
  reason: 'minimum password length is 8',
  remediation: 'Run `aws-groundwork apply`.',
};
const ESC = '\u001b[';
const ctx = {
  info: {
    tool: { name: 'aws-groundwork', version: '0.0.0' },
    command: 'plan' as const,
    startedAt: '2026-11-24T03:00:00.000Z',
    finishedAt: '2026-11-24T03:00:02.000Z',
    caller: { arn: 'arn:aws:iam::111111111111:user/jane', accountId: '111111111111' },
    region: 'us-east-1',
  },
  titles: new Map<string, string>(),
};

describe('output stays plain where it must', () => {
  const host = (isTTY: boolean, env: NodeJS.ProcessEnv) =>
    new NonInteractiveHost({ stdin: new PassThrough(), stdout: new Tty(isTTY), stderr: new Tty(isTTY) }, env);

  it('uses colour and redrawing progress only on a terminal without NO_COLOR, TERM=dumb or CI', () => {
    expect(host(true, {})).toMatchObject({ color: true, progress: 'fancy' });
    expect(host(false, {})).toMatchObject({ color: false, progress: 'plain' });
    expect(host(true, { NO_COLOR: '1' })).toMatchObject({ color: false, progress: 'plain' });
    expect(host(true, { TERM: 'dumb' })).toMatchObject({ color: false, progress: 'plain' });
    expect(host(true, { CI: 'true' })).toMatchObject({ progress: 'plain' });
  });

  it('renders plans and findings without escape codes when colour is off', () => {
    expect(renderPlan([replace], 'human', false)).not.toContain(ESC);
    expect(renderFindings([failing], 'human', false)).not.toContain(ESC);
    expect(renderPlan([replace], 'human', true)).toContain(ESC);
  });

  it('writes messages to stderr and results to stdout only', () => {
    const stdout = new Tty(false);
    const stderr = new Tty(false);
    const h = new NonInteractiveHost({ stdin: new PassThrough(), stdout, stderr }, {});
    h.notify({ code: 'X', level: 'warn', text: 'careful' });
    h.result('{"a":1}');
    expect(stderr.text).toBe('warning: careful\n');
    expect(stdout.text).toBe('{"a":1}\n');
  });
});

describe('one-time secrets', () => {
  it('go to the terminal (stderr) only, and a host without a person refuses them', () => {
    const stdout = new Tty(true);
    const stderr = new Tty(true);
    new InteractiveHost({ stdin: new PassThrough(), stdout, stderr }, { NO_COLOR: '1' }).showSecret('Password for alice', 'S3cret!pw');
    expect(stderr.text).toContain('Password for alice: S3cret!pw');
    expect(stderr.text).toContain('Shown once and stored nowhere');
    expect(stdout.text).toBe('');
    const plain = new NonInteractiveHost({ stdin: new PassThrough(), stdout: new Tty(false), stderr: new Tty(false) }, {});
    expect(() => plain.showSecret('Password for alice', 'S3cret!pw')).toThrow(/without a terminal/);
  });
});

describe('the human plan', () => {
  it('marks a replace with -/+, shows before -> after, counts it as a create and a delete, and flags it destructive', () => {
    const text = renderPlan([replace], 'human');
    expect(text).toContain('-/+ iam:account-alias [destructive]');
    expect(text).toContain('"old" -> "new"');
    expect(text).toContain('Plan: 1 to create, 0 to update, 1 to delete.');
    expect(text).toContain('1 destructive change');
  });

  it('lists only the fields that differ in an update', () => {
    expect(describeDiff({ a: 1, b: true }, { a: 2, b: true })).toEqual(['a: 1 -> 2']);
  });

  it('says "No changes." for an empty plan, and the JSON form has the same summary', () => {
    expect(renderPlan([], 'human')).toContain('No changes.');
    expect(JSON.parse(renderPlan([], 'json', false, ctx)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });

  it('shows the next action for each failing control', () => {
    const text = renderFindings([failing], 'human');
    expect(text).toMatch(/FAIL\s+CIS 1\.7\s+password-policy\s+minimum password length is 8/);
    expect(text).toContain('next: Run `aws-groundwork apply`.');
    expect(text).toContain('Controls: 0 pass, 1 fail, 0 manual, 0 error.');
  });
});
