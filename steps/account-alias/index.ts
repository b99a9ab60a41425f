import { CreateAccountAliasCommand, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { boolean, object, string, type Infer } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep, type StepContext } from '../../src/kit/step.js';
import { isAwsError } from '../../src/model.js';

/** IAM's rules: 3-63 characters, lowercase letters, digits and single hyphens, no hyphen at either end. */
export const ALIAS_PATTERN = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

const answers = object(
  {
    alias: string({
      description: 'The account alias in the sign-in URL (https://ALIAS.signin.aws.amazon.com/console)',
      prompt: 'Alias for the sign-in URL (your company name works well)',
      pattern: ALIAS_PATTERN,
      patternHint: '3-63 lowercase letters, digits and single hyphens, not starting or ending with a hyphen',
      placeholder: { text: '<your-company>', put: 'the sign-in alias you want', eg: 'acme, your company name in lowercase' },
    }),
    allowReplace: boolean({
      description: 'Allow replacing an existing, different alias; the old sign-in URL stops working (needed without a terminal)',
      default: false,
      optIn: true,
    }),
  },
  { description: 'The IAM account alias' },
);

const ADDRESS = 'iam:account-alias';
const CHECKS = checks({
  alias: {
    id: 'account-alias.alias',
    title: 'The account has the agreed sign-in alias',
    remediation: 'Run `aws-groundwork apply` to set the alias.',
  },
});

async function currentAlias(aws: AwsClients): Promise<string | null> {
  // An account has at most one alias, so the first page is the whole answer.
  const out = await aws.iam.send(new ListAccountAliasesCommand({}));
  return out.AccountAliases?.[0] ?? null;
}

type Ctx = StepContext<Infer<typeof answers>>;

/** CreateAccountAlias sets or replaces the alias. */
type Operations = { 'set-alias': { alias: string } };

/** The management account takes the alias; each member `<alias>-<env>` (acme-dev, acme-prod). */
function wantedAlias(ctx: Ctx): string {
  const alias = ctx.account.role === 'member' && ctx.account.env ? `${ctx.answers.alias}-${ctx.account.env}` : ctx.answers.alias;
  if (!ALIAS_PATTERN.test(alias)) {
    throw new Error(
      `the alias "${alias}" for ${ctx.account.name} breaks IAM's rules (3-63 lowercase letters, digits, single hyphens); shorten steps.account-alias.alias`,
    );
  }
  return alias;
}

export default defineStep({
  id: 'account-alias',
  title: 'Account alias',
  description: 'Gives the account a readable sign-in URL, so people sign in at acme.signin.aws.amazon.com.',
  checks: CHECKS.list,
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
      : { facts: ['Sign-in alias: none yet'], notes: { alias: ['The account has no alias yet: put the one you want.'] } };
  },

  async plan(ctx) {
    const before = await currentAlias(ctx.aws);
    const wanted = wantedAlias(ctx);
    if (before === wanted) return [];
    const fields = { address: ADDRESS, before, after: wanted };
    if (before === null)
      return [
        change(
          'set-alias',
          { alias: wanted },
          { ...fields, action: 'create', risk: 'none', summary: `set the account alias to "${wanted}"` },
        ),
      ];
    const summary = `replace the account alias "${before}" with "${wanted}"; the sign-in URL for "${before}" stops working`;
    return [change('set-alias', { alias: wanted }, { ...fields, action: 'replace', risk: 'destructive', summary })];
  },

  apply: {
    async 'set-alias'(ctx, { alias }: Operations['set-alias']) {
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
  },

  async verify(ctx) {
    const actual = await currentAlias(ctx.aws);
    const wanted = wantedAlias(ctx);
    const problem =
      actual === wanted
        ? null
        : actual === null
          ? `the account has no alias; expected "${wanted}"`
          : `the account alias is "${actual}"; expected "${wanted}"`;
    return [check(CHECKS.alias, ADDRESS, problem, `the account alias is "${wanted}"`)];
  },
});
