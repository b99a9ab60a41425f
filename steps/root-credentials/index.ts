import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteSigningCertificateCommand,
  GetAccountSummaryCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
} from '@aws-sdk/client-iam';
import { boolean, object } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { allPages } from '../../src/aws/iam-reads.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type Change, type Finding, type StepContext } from '../../src/engine/types.js';

const answers = object(
  {
    deleteRootAccessKeys: boolean({
      description:
        'Allow deleting the root user\'s access keys when run as root (needed without a terminal; anything using them stops working)',
      default: false,
      optIn: true,
    }),
    deleteMemberRootCredentials: boolean({
      description:
        "Allow deleting member accounts' root credentials (password, access keys, certificates, MFA) through centralized root access (needed without a terminal)",
      default: false,
      optIn: true,
    }),
  },
  { description: 'Root user credentials: no access keys, MFA on; none at all in member accounts' },
);

type Ctx = StepContext<{ deleteRootAccessKeys: boolean; deleteMemberRootCredentials: boolean }>;

/** Root credentials a member may have; with centralized root access, members need none of them. */
const MEMBER_CREDENTIALS = [
  { kind: 'password', flag: 'AccountPasswordPresent', what: 'the root password' },
  { kind: 'access-keys', flag: 'AccountAccessKeysPresent', what: 'root access keys' },
  { kind: 'signing-certificates', flag: 'AccountSigningCertificatesPresent', what: 'root signing certificates' },
  { kind: 'mfa-devices', flag: 'AccountMFAEnabled', what: 'root MFA devices' },
] as const;

/**
 * Deletes one kind of a member's root credentials as its root user, through sts:AssumeRoot with the
 * AWS task policy that allows exactly this (from the management account, never as root).
 */
async function deleteMemberCredentials(ctx: Ctx, kind: (typeof MEMBER_CREDENTIALS)[number]['kind']): Promise<void> {
  const iam = (await ctx.rootAws('IAMDeleteRootUserCredentials')).iam;
  // Without UserName every call acts on the root user the session belongs to.
  if (kind === 'password') {
    try {
      await iam.send(new DeleteLoginProfileCommand({}));
    } catch (err) {
      if (!isAwsError(err, 'NoSuchEntity')) throw err;
    }
  } else if (kind === 'access-keys') {
    // Every page is read before the first delete: deleting shifts what a later page's Marker points at.
    const keys = await allPages(async (Marker) => {
      const r = await iam.send(new ListAccessKeysCommand({ Marker }));
      return { items: r.AccessKeyMetadata, IsTruncated: r.IsTruncated, Marker: r.Marker };
    });
    for (const k of keys) await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: k.AccessKeyId }));
  } else if (kind === 'signing-certificates') {
    const certificates = await allPages(async (Marker) => {
      const r = await iam.send(new ListSigningCertificatesCommand({ Marker }));
      return { items: r.Certificates, IsTruncated: r.IsTruncated, Marker: r.Marker };
    });
    for (const c of certificates) await iam.send(new DeleteSigningCertificateCommand({ CertificateId: c.CertificateId }));
  } else {
    const devices = await allPages(async (Marker) => {
      const r = await iam.send(new ListMFADevicesCommand({ Marker }));
      return { items: r.MFADevices, IsTruncated: r.IsTruncated, Marker: r.Marker };
    });
    for (const d of devices) await iam.send(new DeactivateMFADeviceCommand({ SerialNumber: d.SerialNumber }));
  }
}
const STEP = 'root-credentials';

/** Where a person signed in as root manages root's own credentials. */
export const ROOT_CREDENTIALS_CONSOLE =
  'sign in as the root user at https://console.aws.amazon.com/, open the account menu (top right) > Security credentials';

async function summary(aws: AwsClients): Promise<Record<string, number>> {
  const r = await aws.iam.send(new GetAccountSummaryCommand({}));
  return (r.SummaryMap ?? {}) as Record<string, number>;
}

export default defineStep({
  id: STEP,
  title: 'Root credentials',
  description:
    'Makes sure the root user has no access keys and has MFA; deletes root keys when run as root, otherwise says exactly what to do.',
  checks: [
    { id: 'root-credentials.no-root-access-keys', title: 'No root user access keys exist' },
    { id: 'root-credentials.root-mfa', title: 'MFA is enabled for the root user' },
    { id: 'root-credentials.member-root-removed', title: 'Member accounts have no root credentials (centralized root access)' },
  ],
  scope: 'every-account',
  answers,
  destructiveOptIn: (change) => (change.account.role === 'member' ? 'deleteMemberRootCredentials' : 'deleteRootAccessKeys'),
  permissions: {
    read: ['iam:GetAccountSummary', 'iam:ListAccessKeys', 'iam:ListSigningCertificates', 'iam:ListMFADevices'],
    apply: ['iam:DeleteAccessKey', 'iam:DeleteLoginProfile', 'iam:DeleteSigningCertificate', 'iam:DeactivateMFADevice'],
    // The engine opens members' root sessions (sts:AssumeRoot) for the deletions.
    implied: ['sts:AssumeRoot'],
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const s = await summary(ctx.aws);
    if (ctx.account.role === 'member') {
      // Audited through the member's admin role; deleted as its root user (apply).
      return MEMBER_CREDENTIALS.filter((c) => s[c.flag]).map((c) => ({
        step: STEP,
        account: ctx.account,
        address: `iam:root/${c.kind}`,
        action: 'delete',
        before: { [c.flag]: s[c.flag] ?? 0 },
        after: null,
        risk: 'destructive',
        summary: `delete ${c.what} of ${ctx.account.name} (centralized root access makes them unnecessary)`,
      }));
    }
    // Only root can delete root's keys; anyone else gets a manual finding from verify instead.
    if (!s.AccountAccessKeysPresent || !ctx.caller.isRoot) return [];
    // Without UserName, ListAccessKeys lists the caller's own keys: root's, since the caller is root.
    const keys = await allPages(async (Marker) => {
      const r = await ctx.aws.iam.send(new ListAccessKeysCommand({ Marker }));
      return { items: r.AccessKeyMetadata, IsTruncated: r.IsTruncated, Marker: r.Marker };
    });
    const own = (id: string | undefined) => id === ctx.caller.accessKeyId;
    // The key this session signs with goes last: after it, the session is over.
    const ordered = [...keys.filter((k) => !own(k.AccessKeyId)), ...keys.filter((k) => own(k.AccessKeyId))];
    return ordered.map((k) => ({
      step: STEP,
      account: ctx.account,
      address: `iam:root/access-key/${k.AccessKeyId}`,
      action: 'delete',
      before: { AccessKeyId: k.AccessKeyId ?? '', Status: k.Status ?? '' },
      after: null,
      risk: 'destructive',
      summary: own(k.AccessKeyId)
        ? `delete root access key ${k.AccessKeyId}, the key this session signs with: the run ends after it; finish as the new admin`
        : `delete root access key ${k.AccessKeyId}; anything still using it stops working`,
      ...(own(k.AccessKeyId) ? { endsSession: true } : {}),
    }));
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    if (ctx.account.role === 'member') {
      await deleteMemberCredentials(ctx, change.address.slice('iam:root/'.length) as (typeof MEMBER_CREDENTIALS)[number]['kind']);
      return;
    }
    const { AccessKeyId } = change.before as { AccessKeyId: string };
    try {
      await ctx.aws.iam.send(new DeleteAccessKeyCommand({ AccessKeyId }));
    } catch (err) {
      if (!isAwsError(err, 'NoSuchEntity')) throw err; // already gone: the goal is met
    }
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const s = await summary(ctx.aws);
    const base = { step: STEP, account: ctx.account };
    if (ctx.account.role === 'member') {
      const present = MEMBER_CREDENTIALS.filter((c) => s[c.flag]);
      const fix = 'Run `aws-groundwork apply` (with steps.root-credentials.deleteMemberRootCredentials: true without a terminal) to delete them.';
      const keys = present.some((c) => c.kind === 'access-keys');
      return [
        { ...base, check: 'root-credentials.no-root-access-keys', resource: 'iam:root/access-keys', status: keys ? 'fail' : 'pass', reason: keys ? 'the root user has access keys' : 'the root user has no access keys', remediation: keys ? fix : '' },
        {
          ...base,
          check: 'root-credentials.member-root-removed',
          resource: 'iam:root/credentials',
          status: present.length ? 'fail' : 'pass',
          reason: present.length
            ? `the root user still has ${present.map((c) => c.what).join(', ')}`
            : 'the root user has no credentials; root tasks go through centralized root access',
          remediation: present.length ? fix : '',
        },
      ];
    }
    const keys = Boolean(s.AccountAccessKeysPresent);
    const mfa = Boolean(s.AccountMFAEnabled);
    return [
      {
        ...base,
        check: 'root-credentials.no-root-access-keys',
        resource: 'iam:root/access-keys',
        status: !keys ? 'pass' : ctx.caller.isRoot ? 'fail' : 'manual',
        reason: !keys ? 'the root user has no access keys' : 'the root user has access keys',
        remediation: !keys
          ? ''
          : ctx.caller.isRoot
            ? 'Run `aws-groundwork apply` as root (for example in AWS CloudShell) to delete them.'
            : `Only the root user can delete them: ${ROOT_CREDENTIALS_CONSOLE} > Access keys > Actions > Delete.`,
      },
      {
        ...base,
        check: 'root-credentials.root-mfa',
        resource: 'iam:root/mfa',
        status: mfa ? 'pass' : 'manual',
        reason: mfa
          ? 'the root user has MFA'
          : s.AccountPasswordPresent
            ? 'the root user signs in with a password only (no MFA)'
            : 'the root user has no MFA',
        remediation: mfa ? '' : `Only the root user can add it: ${ROOT_CREDENTIALS_CONSOLE} > Multi-factor authentication (MFA) > Assign MFA device.`,
      },
    ];
  },
});
