import { CreateAccountAliasCommand, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { boolean, object, string } from '../../src/answers/schema.js';
import { defineStep, type Change, type Finding, type StepContext } from '../../src/engine/types.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/engine/errors.js';

/** IAM's rules: 3-63 characters, lowercase letters, digits and single hyphens, no hyphen at either end. */
export const ALIAS_PATTERN = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

const answers = object(
  {
    alias: string({
      description: 'The account alias in the sign-in URL (https://ALIAS.signin.aws.amazon.com/console)',
      prompt: 'Alias for the sign-in URL (your company name works well)',
      pattern: ALIAS_PATTERN,
      patternHint: '3-63 lowercase letters, digits and single hyphens, not starting or ending with a hyphen',
      example: 'acme',
    }),
    allowReplace: boolean({
      description:
        'Allow replacing an existing, different alias; the old sign-in URL stops working (needed without a terminal)',
      default: false,
      optIn: true,
    }),
  },
  { description: 'The IAM account alias' },
);

const ADDRESS = 'iam:account-alias';
const CHECK = 'account-alias.alias';

async function currentAlias(aws: AwsClients): Promise<string | null> {
  // An account has at most one alias, so the first page is the whole answer.
  const out = await aws.iam.send(new ListAccountAliasesCommand({}));
  return out.AccountAliases?.[0] ?? null;
}

type Ctx = StepContext<{ alias: string; allowReplace: boolean }>;

/** The management account takes the alias; each member `<alias>-<env>` (acme-dev, acme-prod). */
function wantedAlias(ctx: Ctx): string {
  const alias = ctx.account.role === 'member' && ctx.account.env ? `${ctx.answers.alias}-${ctx.account.env}` : ctx.answers.alias;
  if (!ALIAS_PATTERN.test(alias)) {
    throw new Error(`the alias "${alias}" for ${ctx.account.name} breaks IAM's rules (3-63 lowercase letters, digits, single hyphens); shorten steps.account-alias.alias`);
  }
  return alias;
}

export default defineStep({
  id: 'account-alias',
  title: 'Account alias',
  description: 'Gives the account a readable sign-in URL, so people sign in at acme.signin.aws.amazon.com.',
  checks: [{ id: CHECK, title: 'The account has the agreed sign-in alias' }],
  scope: 'every-account',
  answers,
  destructiveOptIn: 'allowReplace',
  permissions: {
    read: ['iam:ListAccountAliases'],
    apply: ['iam:CreateAccountAlias'],
  },

  async suggest(ctx) {
    const alias = await currentAlias(ctx.aws);
    return alias
      ? { defaults: { alias }, facts: [`Sign-in alias: ${alias} (https://${alias}.signin.aws.amazon.com/console)`] }
      : { facts: ['Sign-in alias: none yet'] };
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const before = await currentAlias(ctx.aws);
    const wanted = wantedAlias(ctx);
    if (before === wanted) return [];
    const base = { step: 'account-alias', account: ctx.account, address: ADDRESS, before, after: wanted };
    if (before === null) {
      return [{ ...base, action: 'create', risk: 'none', summary: `set the account alias to "${wanted}"` }];
    }
    return [
      {
        ...base,
        action: 'replace',
        risk: 'destructive',
        summary: `replace the account alias "${before}" with "${wanted}"; the sign-in URL for "${before}" stops working`,
      },
    ];
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const alias = change.after as string;
    // CreateAccountAlias replaces an existing alias in one call, so a failed replace never leaves the
    // account without one (a delete-then-create would).
    try {
      await ctx.aws.iam.send(new CreateAccountAliasCommand({ AccountAlias: alias }));
    } catch (err) {
      if (isAwsError(err, 'EntityAlreadyExists') && (await currentAlias(ctx.aws)) === alias) return;
      if (isAwsError(err, 'EntityAlreadyExists')) {
        (err as Error).message =
          `the alias "${alias}" is already taken, possibly by another AWS account; choose another (steps.account-alias.alias)`;
      }
      throw err;
    }
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const actual = await currentAlias(ctx.aws);
    const wanted = wantedAlias(ctx);
    const pass = actual === wanted;
    return [
      {
        step: 'account-alias',
        check: CHECK,
        account: ctx.account,
        resource: ADDRESS,
        status: pass ? 'pass' : 'fail',
        reason: pass
          ? `the account alias is "${wanted}"`
          : actual === null
            ? `the account has no alias; expected "${wanted}"`
            : `the account alias is "${actual}"; expected "${wanted}"`,
        remediation: pass ? '' : 'Run `aws-groundwork apply` to set the alias.',
      },
    ];
  },
});
