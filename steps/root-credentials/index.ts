import { DeleteAccessKeyCommand, GetAccountSummaryCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
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
    }),
  },
  { description: 'Root user credentials: no access keys, MFA on' },
);

type Ctx = StepContext<{ deleteRootAccessKeys: boolean }>;
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
  controls: [
    { id: 'CIS 1.4', title: 'No root user access keys exist' },
    { id: 'CIS 1.5', title: 'MFA is enabled for the root user' },
  ],
  scope: 'every-account',
  answers,
  destructiveOptIn: 'deleteRootAccessKeys',
  permissions: {
    read: ['iam:GetAccountSummary', 'iam:ListAccessKeys'],
    apply: ['iam:DeleteAccessKey'],
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const s = await summary(ctx.aws);
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
    const keys = Boolean(s.AccountAccessKeysPresent);
    const mfa = Boolean(s.AccountMFAEnabled);
    return [
      {
        ...base,
        control: 'CIS 1.4',
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
        control: 'CIS 1.5',
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
