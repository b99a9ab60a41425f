/**
 * The published bundle is minified: class and function names are not what the source says. Every
 * decision the tool makes about a command (read or write, which IAM action, how to resend it) must
 * come from data the SDK carries, never from a name a bundler may change.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetAccountSummaryCommand, CreateGroupCommand } from '@aws-sdk/client-iam';
import { PutPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { operationName, WRITE_KINDS, writeKindOf, type ServiceId } from '../../src/aws/actions.js';
import { REGISTRY } from '../../src/registry.js';

const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Run-time uses of a class's or function's own name. */
const NAME_USES: [RegExp, string][] = [
  [/\.constructor\.name\b/, '.constructor.name'],
  [/\bnew\.target\.name\b/, 'new.target.name'],
  [/\.prototype\.name\b/, '.prototype.name'],
  [/\b[A-Z]\w*(Command|Client|Error|Exception|Step|Host)\.name\b/, "a class's .name"],
  [/\b(callee|caller)\.name\b/, "a function's .name"],
  [/getPrototypeOf\([^)]*\)\.constructor\.name/, "a prototype's constructor name"],
];

describe('operations are named from data, not from identifiers a bundler may rename', () => {
  it('no source file in src/ or steps/ uses a class or function name at run time', () => {
    const hits: string[] = [];
    for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'steps'))]) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [pattern, what] of NAME_USES)
            if (pattern.test(line)) hits.push(`${relative(ROOT, file)}:${i + 1} uses ${what}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('the lint itself catches the bug it exists for', () => {
    const line = "return command.constructor.name.replace(/Command$/, '');";
    expect(NAME_USES.some(([p]) => p.test(line))).toBe(true);
    expect(NAME_USES.some(([p]) => p.test('if (err.name === "AccessDenied") return;'))).toBe(false);
  });

  it('names a command by the operation in its SDK schema, even when its class is renamed', () => {
    // What esbuild's minifier does to a class: same prototype chain, another name.
    const Renamed = { HR: class extends GetAccountSummaryCommand {} }.HR;
    expect(Renamed.name).toBe('HR');
    expect(operationName(new Renamed({}))).toBe('GetAccountSummary');
    expect(operationName(new CreateGroupCommand({ GroupName: 'Admins' }))).toBe('CreateGroup');
    expect(operationName(new PutPublicAccessBlockCommand({ AccountId: '1', PublicAccessBlockConfiguration: {} }))).toBe(
      'PutPublicAccessBlock',
    );
  });

  it('refuses a command it cannot name instead of guessing', () => {
    expect(() => operationName({ input: {} })).toThrow(/cannot tell which AWS operation/);
    expect(() => operationName(null)).toThrow(/cannot tell which AWS operation/);
  });
});

describe('every write the steps send is classified for a lost answer', () => {
  /** The SDK client of an IAM action the steps declare (S3 Control's actions are `s3:` ones). */
  const declaredWrites = REGISTRY.flatMap((s) => s.permissions.apply);

  it('each declared write has its own entry: idempotent, idempotent by client token, or ambiguous', () => {
    const keys = new Set(Object.keys(WRITE_KINDS));
    // IAM action names differ from operation names for a few S3 calls; those are listed by operation.
    const byAction: Record<string, string[]> = {
      's3:PutEncryptionConfiguration': ['s3:PutBucketEncryption'],
      's3:PutLifecycleConfiguration': ['s3:PutBucketLifecycleConfiguration'],
      's3:PutBucketPublicAccessBlock': ['s3:PutPublicAccessBlock'],
      's3:PutAccountPublicAccessBlock': ['s3control:PutPublicAccessBlock'],
      's3:PutBucketObjectLockConfiguration': ['s3:PutObjectLockConfiguration'],
      // Budgets has one action for all its writes.
      'budgets:ModifyBudget': [
        'budgets:CreateBudget',
        'budgets:UpdateBudget',
        'budgets:CreateNotification',
        'budgets:CreateSubscriber',
        'budgets:DeleteSubscriber',
      ],
    };
    // Clients whose actions carry another prefix than the client's key: SSO Admin's are `sso:`, Cost Explorer's `ce:`.
    const CLIENT_OF_PREFIX: Record<string, string> = { sso: 'ssoAdmin', ce: 'costExplorer', 'access-analyzer': 'accessAnalyzer' };
    const keysOf = (a: string) => {
      const [prefix = '', name = ''] = a.split(':');
      return byAction[a] ?? [`${CLIENT_OF_PREFIX[prefix] ?? prefix}:${name}`];
    };
    const missing = declaredWrites.filter((a) => !keysOf(a).every((k) => keys.has(k)));
    expect(missing).toEqual([]);
  });

  it('makes creations ambiguous (read back before sending again) and puts idempotent (sent again)', () => {
    const kind = (s: ServiceId, op: string) => writeKindOf(s, op).kind;
    for (const op of ['CreateAccount', 'CreateOrganizationalUnit', 'CreateOrganization'])
      expect(kind('organizations', op)).toBe('ambiguous');
    for (const op of ['CreateGroup', 'CreateUser', 'CreatePolicy', 'CreatePolicyVersion', 'CreateLoginProfile'])
      expect(kind('iam', op)).toBe('ambiguous');
    expect(kind('kms', 'CreateKey')).toBe('ambiguous');
    expect(kind('cloudtrail', 'CreateTrail')).toBe('ambiguous');
    expect(kind('s3', 'CreateBucket')).toBe('ambiguous');
    expect(kind('s3control', 'PutPublicAccessBlock')).toBe('idempotent');
    expect(kind('iam', 'UpdateAccountPasswordPolicy')).toBe('idempotent');
    // Reads, and a write nobody classified, fall on the safe side of each rule.
    expect(kind('iam', 'GetAccountSummary')).toBe('idempotent');
    expect(kind('iam', 'DeleteEverything')).toBe('ambiguous');
  });
});
