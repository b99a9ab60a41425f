import { DeleteAccessKeyCommand, GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { boolean, object, type Infer } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { change, check, checks, manual } from '../../src/kit/builders.js';
import { defineStep, type StepContext } from '../../src/kit/step.js';
import { ROOT_FEATURES } from '../organization/index.js';
import { requireOrganization } from '../organization/preconditions.js';
import { goneOn, MEMBER_CREDENTIALS, ownAccessKeys, type MemberCredential } from './credentials.js';

const answers = object(
  {
    deleteRootAccessKeys: boolean({
      description:
        "Allow deleting the root user's access keys when run as root (needed without a terminal; anything using them stops working)",
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

type Ctx = StepContext<Infer<typeof answers>>;

type Operations = {
  /** One kind of a member's root credentials, deleted as its root user. */
  'delete-member-credentials': { credential: MemberCredential };
  /** One of the management root user's access keys, deleted by root itself. */
  'delete-root-access-key': { accessKeyId: string };
};

const STEP = 'root-credentials';

/** Where a person signed in as root manages root's own credentials. */
export const ROOT_CREDENTIALS_CONSOLE =
  'sign in as the root user at https://console.aws.amazon.com/, open the account menu (top right) > Security credentials';

const CHECKS = checks({
  noRootKeys: {
    id: 'root-credentials.no-root-access-keys',
    title: 'No root user access keys exist',
    remediation: 'Run `aws-groundwork apply` as root (for example in AWS CloudShell) to delete them.',
  },
  rootMfa: {
    id: 'root-credentials.root-mfa',
    title: 'MFA is enabled for the root user',
    remediation: `Only the root user can add it: ${ROOT_CREDENTIALS_CONSOLE} > Multi-factor authentication (MFA) > Assign MFA device.`,
  },
  memberRootRemoved: {
    id: 'root-credentials.member-root-removed',
    title: 'Member accounts have no root credentials (centralized root access)',
    remediation:
      'Run `aws-groundwork apply` (with steps.root-credentials.deleteMemberRootCredentials: true without a terminal) to delete them.',
  },
});

async function summary(aws: AwsClients): Promise<Record<string, number>> {
  const r = await aws.iam.send(new GetAccountSummaryCommand({}));
  return (r.SummaryMap ?? {}) as Record<string, number>;
}

/** Audited through the member's admin role; deleted as its root user (apply). */
function planMember(ctx: Ctx, s: Record<string, number>) {
  return MEMBER_CREDENTIALS.filter((c) => s[c.flag]).map((c) =>
    change(
      'delete-member-credentials',
      { credential: c.kind },
      {
        address: `iam:root/${c.kind}`,
        action: 'delete',
        before: { [c.flag]: s[c.flag] ?? 0 },
        after: null,
        risk: 'destructive',
        summary: `delete ${c.what} of ${ctx.account.name} (centralized root access makes them unnecessary)`,
      },
    ),
  );
}

async function planRootKeys(ctx: Ctx) {
  const keys = await ownAccessKeys(ctx.aws.iam);
  const own = (id: string | undefined) => id === ctx.caller.accessKeyId;
  // The key this session signs with goes last: after it, the session is over.
  const ordered = [...keys.filter((k) => !own(k.AccessKeyId)), ...keys.filter((k) => own(k.AccessKeyId))];
  return ordered.map((k) =>
    change(
      'delete-root-access-key',
      { accessKeyId: k.AccessKeyId ?? '' },
      {
        address: `iam:root/access-key/${k.AccessKeyId}`,
        action: 'delete',
        before: { AccessKeyId: k.AccessKeyId ?? '', Status: k.Status ?? '' },
        after: null,
        risk: 'destructive',
        summary: own(k.AccessKeyId)
          ? `delete root access key ${k.AccessKeyId}, the key this session signs with: the run ends after it; finish as the new admin`
          : `delete root access key ${k.AccessKeyId}; anything still using it stops working`,
        ...(own(k.AccessKeyId) ? { endsSession: true } : {}),
      },
    ),
  );
}

function verifyMember(s: Record<string, number>) {
  const present = MEMBER_CREDENTIALS.filter((c) => s[c.flag]);
  const keys = present.some((c) => c.kind === 'access-keys');
  return [
    check(
      CHECKS.noRootKeys,
      'iam:root/access-keys',
      keys && 'the root user has access keys',
      'the root user has no access keys',
      CHECKS.memberRootRemoved.remediation,
    ),
    check(
      CHECKS.memberRootRemoved,
      'iam:root/credentials',
      present.length > 0 && `the root user still has ${present.map((c) => c.what).join(', ')}`,
      'the root user has no credentials; root tasks go through centralized root access',
    ),
  ];
}

function verifyManagement(ctx: Ctx, s: Record<string, number>) {
  const keys = Boolean(s.AccountAccessKeysPresent);
  return [
    // Only root can delete root's keys: for anyone else it is a person's task.
    !keys || ctx.caller.isRoot
      ? check(CHECKS.noRootKeys, 'iam:root/access-keys', keys && 'the root user has access keys', 'the root user has no access keys')
      : manual(
          CHECKS.noRootKeys,
          'iam:root/access-keys',
          'the root user has access keys',
          `Only the root user can delete them: ${ROOT_CREDENTIALS_CONSOLE} > Access keys > Actions > Delete.`,
        ),
    s.AccountMFAEnabled
      ? check(CHECKS.rootMfa, 'iam:root/mfa', null, 'the root user has MFA')
      : manual(
          CHECKS.rootMfa,
          'iam:root/mfa',
          s.AccountPasswordPresent ? 'the root user signs in with a password only (no MFA)' : 'the root user has no MFA',
        ),
  ];
}

export default defineStep({
  id: STEP,
  title: 'Root credentials',
  description:
    'Makes sure the root user has no access keys and has MFA; deletes root keys when run as root, otherwise says exactly what to do.',
  checks: CHECKS.list,
  scope: 'every-account',
  answers,
  destructiveOptIn: (change) => (change.account.role === 'member' ? 'deleteMemberRootCredentials' : 'deleteRootAccessKeys'),
  permissions: {
    read: [
      'iam:GetAccountSummary',
      'iam:ListAccessKeys',
      'iam:ListSigningCertificates',
      'iam:ListMFADevices',
      'organizations:DescribeOrganization',
      'organizations:ListAWSServiceAccessForOrganization',
      'iam:ListOrganizationsFeatures',
    ],
    apply: ['iam:DeleteAccessKey', 'iam:DeleteLoginProfile', 'iam:DeleteSigningCertificate', 'iam:DeactivateMFADevice'],
    // The engine opens members' root sessions (sts:AssumeRoot) for the deletions.
    implied: ['sts:AssumeRoot'],
  },

  async plan(ctx) {
    const s = await summary(ctx.aws);
    if (ctx.account.role === 'member') {
      const changes = planMember(ctx, s);
      // Deleted as the member's root user, through sts:AssumeRoot: only with centralized root access.
      if (changes.length > 0) {
        await requireOrganization(ctx, { what: `deleting the root credentials of ${ctx.account.name}`, rootFeatures: ROOT_FEATURES });
      }
      return changes;
    }
    // Only root can delete root's keys; anyone else gets a manual finding from verify instead.
    if (!s.AccountAccessKeysPresent || !ctx.caller.isRoot) return [];
    return planRootKeys(ctx);
  },

  apply: {
    /**
     * As the member's root user, through sts:AssumeRoot with the AWS task policy that allows exactly
     * this (from the management account, never as root).
     */
    async 'delete-member-credentials'(ctx, { credential }: Operations['delete-member-credentials']) {
      const iam = (await ctx.rootAws('IAMDeleteRootUserCredentials')).iam;
      const what = MEMBER_CREDENTIALS.find((c) => c.kind === credential);
      if (!what) throw new Error(`no such root credential: ${credential}`);
      await what.remove(iam);
    },
    async 'delete-root-access-key'(ctx, { accessKeyId }: Operations['delete-root-access-key']) {
      await goneOn(() => ctx.aws.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: accessKeyId })));
    },
  },

  async verify(ctx) {
    const s = await summary(ctx.aws);
    return ctx.account.role === 'member' ? verifyMember(s) : verifyManagement(ctx, s);
  },
});
