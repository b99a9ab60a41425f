import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadAction } from '../../src/aws/actions.js';
import { REGISTRY } from '../../src/registry.js';
import { planAll, verifyAll } from '../../src/engine/runner.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { SENT, engineRun, applyOrThrow } from '../helpers/converge.js';
import { cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

describe('aws-groundwork permissions', () => {
  it('prints a valid IAM policy document for apply with every declared action and nothing else', async () => {
    const run = await cli(['permissions']);
    expect(run.code).toBe(0);
    const policy = JSON.parse(run.stdout);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    const declared = new Set(REGISTRY.flatMap((s) => [...s.permissions.read, ...s.permissions.apply, ...(s.permissions.implied ?? [])]));
    expect(new Set(policy.Statement[0].Action)).toEqual(declared);
    expect(fake.calls).toEqual([]);
  });

  it('prints only read actions with --phase read, and narrows to --only steps', async () => {
    const read = JSON.parse((await cli(['permissions', '--phase', 'read'])).stdout);
    const readActions = REGISTRY.flatMap((s) => [...s.permissions.read, ...(s.permissions.implied ?? []).filter(isReadAction)]);
    expect(read.Statement[0].Action).toEqual([...new Set(readActions)].sort((a, b) => a.localeCompare(b)));
    // No write action in the read-only policy; reaching members for plan and verify is in it.
    for (const action of read.Statement[0].Action as string[]) expect(isReadAction(action), action).toBe(true);
    expect(read.Statement[0].Action).toContain('sts:AssumeRole');
    expect(read.Statement[0].Action).not.toContain('iam:CreateAccountAlias');
    const only = JSON.parse((await cli(['permissions', '--only', 'account-alias'])).stdout);
    expect(only.Statement[0].Action).toEqual(['iam:CreateAccountAlias', 'iam:ListAccountAliases']);
  });
});

describe('every AWS command a step sends', () => {
  it('maps to an IAM action the step declared, across convergence, drift and repair of every step in every account', async () => {
    const ALL = {
      version: 1,
      steps: {
        'account-alias': { alias: 'acme', allowReplace: true },
        'password-policy': {},
        'admin-group': { users: ['alice'] },
        'mfa-enforcement': {},
        organization: {},
        'org-trail': { name: 'acme-org-trail' },
        'member-accounts': {
          accounts: ['dev', 'staging'].map((env) => ({ name: `acme-${env}`, email: `aws+${env}@acme.example`, ou: 'Workloads' })),
        },
        'root-credentials': { deleteMemberRootCredentials: true },
        's3-block-public-access': {},
        'security-contacts': { security: { name: 'Jane Founder', title: 'CTO', email: 'security@acme.example', phone: '+1 555 0100' } },
      },
    };
    const ids = Object.keys(ALL.steps);
    const m = fake.management;

    // A fresh account, every step, two new members.
    const first = await engineRun(ids, ALL);
    await applyOrThrow(first, (await planAll(first)).changes);
    expect((await planAll(first)).changes).toEqual([]);
    m.users.get('alice')?.mfaDevices.push('arn:aws:iam::111111111111:mfa/alice');
    expect((await verifyAll(first)).filter((f) => f.status !== 'pass')).toEqual([]);

    // Drift everywhere, in the management account and in a member, then repair.
    const staging = [...fake.orgAccounts.values()].find((a) => a.Name === 'acme-staging')!;
    const member = fake.accounts.get(staging.Id)!;
    m.alias = 'drifted';
    m.passwordPolicy = { MinimumPasswordLength: 6 };
    m.groups.get('Admins')?.attached.delete('arn:aws:iam::aws:policy/AdministratorAccess');
    const mfa = [...m.policies.values()][0]!;
    mfa.versions = [1, 2, 3, 4, 5].map((n) => ({
      VersionId: `v${n}`,
      Document: encodeURIComponent('{"Statement":[]}'),
      IsDefaultVersion: n === 5,
      seq: n,
    }));
    mfa.nextVersion = 6;
    fake.kmsAliases.get('us-east-1')?.clear(); // a key left without its alias
    [...fake.kms.values()][0]!.policy = '{"Version":"2012-10-17","Statement":[]}';
    Object.assign(fake.trails.get('acme-org-trail')!, { IsMultiRegionTrail: false });
    fake.buckets.get('aws-groundwork-trail-111111111111-us-east-1')!.ownership = 'ObjectWriter';
    staging.parentId = 'r-ab12';
    staging.tags = [];
    Object.assign(member.root, {
      password: true,
      mfa: true,
      accessKeys: [{ AccessKeyId: 'AKIAMEMBERROOT', Status: 'Active' }],
      signingCertificates: ['CERTMEMBER'],
    });
    member.accountPublicAccessBlock = null;
    member.contacts.OPERATIONS = undefined;
    const repair = await engineRun(ids, ALL);
    await verifyAll(repair);
    await applyOrThrow(repair, (await planAll(repair)).changes);
    expect((await planAll(repair)).changes).toEqual([]);
    expect((await verifyAll(repair)).filter((f) => f.status !== 'pass')).toEqual([]);

    // As root (CloudShell): the management account's own root key.
    fake.callAsRoot();
    m.root.accessKeys.push({ AccessKeyId: 'AKIAROOTOLD', Status: 'Active' });
    const asRoot = await engineRun(['root-credentials'], { version: 1, steps: { 'root-credentials': { deleteRootAccessKeys: true } } });
    await applyOrThrow(asRoot, (await planAll(asRoot)).changes);
    expect(m.root.accessKeys).toEqual([]);

    const byStep = new Map(REGISTRY.map((s) => [s.id, new Set([...s.permissions.read, ...s.permissions.apply])]));
    // The session's own calls for a step (sts:AssumeRoot into a member's root) are its implied actions.
    const maySend = new Map(
      REGISTRY.map((s) => [s.id, new Set([...s.permissions.read, ...s.permissions.apply, ...(s.permissions.implied ?? [])])]),
    );
    expect(new Set(SENT.map((s) => s.step))).toEqual(new Set(ids));
    for (const { step, action, operation } of SENT) {
      expect(action, `${step} sent ${operation}`).not.toBeNull();
      expect(maySend.get(step)?.has(action as string), `${step} sent ${action}`).toBe(true);
    }
    // And every declared action is used: the declarations are not padded.
    for (const [step, declared] of byStep) {
      const used = new Set(
        SENT.filter((s) => s.step === step)
          .map((s) => s.action)
          .filter((a) => declared.has(a as string)),
      );
      expect(used, step).toEqual(declared);
    }
  });
});
