import { GetAlternateContactCommand, PutAlternateContactCommand, type AlternateContactType } from '@aws-sdk/client-account';
import { object, string } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { isAwsError } from '../../src/engine/errors.js';
import { defineStep, type AccountRef, type Change, type Finding, type StepContext } from '../../src/engine/types.js';

const STEP = 'security-contacts';

const contact = (who: string, optional: boolean) =>
  object(
    {
      name: string({ description: `${who} contact's name`, minLength: 1, maxLength: 64, example: 'Jane Founder' }),
      title: string({ description: `${who} contact's title`, minLength: 1, maxLength: 50, example: 'CTO' }),
      email: string({
        description: `${who} contact's email (a list that reaches a person, not a single inbox)`,
        pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
        patternHint: 'an email address',
        maxLength: 254,
        example: 'security@acme.example',
      }),
      phone: string({
        description: `${who} contact's phone`,
        pattern: /^[\s0-9()+-]{4,25}$/,
        patternHint: 'a phone number such as +1 555 0100',
        example: '+1 555 0100',
      }),
    },
    { description: `The ${who.toLowerCase()} contact${optional ? ' (default: the security contact)' : ''}`, optional },
  );

const answers = object(
  {
    security: contact('Security', false),
    billing: contact('Billing', true),
    operations: contact('Operations', true),
  },
  { description: 'Alternate contacts AWS writes to about security, billing and operations' },
);

interface Contact {
  name: string;
  title: string;
  email: string;
  phone: string;
}
type Ctx = StepContext<{ security: Contact; billing?: Contact; operations?: Contact }>;

const TYPES: AlternateContactType[] = ['SECURITY', 'BILLING', 'OPERATIONS'];

function wanted(ctx: Ctx, type: AlternateContactType) {
  const c = (type === 'BILLING' ? ctx.answers.billing : type === 'OPERATIONS' ? ctx.answers.operations : undefined) ?? ctx.answers.security;
  return { Name: c.name, Title: c.title, EmailAddress: c.email, PhoneNumber: c.phone };
}

/**
 * The management account manages its own contacts without AccountId (passing its own id is refused);
 * members' contacts are managed from the management account with AccountId (trusted access for
 * account.amazonaws.com), so no session in the member is needed.
 */
function target(ctx: Ctx): { aws: AwsClients; accountId?: string } {
  return ctx.account.role === 'management' ? { aws: ctx.aws } : { aws: ctx.managementAws, accountId: ctx.account.id };
}

async function current(ctx: Ctx, type: AlternateContactType) {
  const { aws, accountId } = target(ctx);
  try {
    const c = (await aws.account.send(new GetAlternateContactCommand({ AlternateContactType: type, ...(accountId ? { AccountId: accountId } : {}) }))).AlternateContact;
    return { Name: c?.Name ?? '', Title: c?.Title ?? '', EmailAddress: c?.EmailAddress ?? '', PhoneNumber: c?.PhoneNumber ?? '' };
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFound')) return null;
    throw err;
  }
}

const address = (account: AccountRef, type: string) => `account:${account.id}/alternate-contact/${type.toLowerCase()}`;

export default defineStep({
  id: STEP,
  title: 'Security contacts',
  description: 'Sets the security, billing and operations contacts AWS writes to, in every account, so security notices reach a person.',
  checks: [
    { id: 'security-contacts.security-contact', title: 'Security contact information is registered' },
    { id: 'security-contacts.all-contacts', title: 'Account-level contacts (security, billing, operations) are set' },
  ],
  scope: 'every-account',
  answers,
  permissions: { read: ['account:GetAlternateContact'], apply: ['account:PutAlternateContact'] },

  async suggest(ctx) {
    const c = await current(ctx as Ctx, 'SECURITY');
    if (!c) return { facts: ['Security contact: none yet'] };
    return {
      defaults: { security: { name: c.Name, title: c.Title, email: c.EmailAddress, phone: c.PhoneNumber } },
      facts: [`Security contact: ${c.Name} <${c.EmailAddress}>`],
    };
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const changes: Change[] = [];
    for (const type of TYPES) {
      const have = await current(ctx, type);
      const want = wanted(ctx, type);
      if (have && JSON.stringify(have) === JSON.stringify(want)) continue;
      changes.push({
        step: STEP,
        account: ctx.account,
        address: address(ctx.account, type),
        action: have ? 'update' : 'create',
        before: have,
        after: { AlternateContactType: type, ...want },
        risk: 'none',
        summary: `${have ? 'update' : 'set'} the ${type.toLowerCase()} contact (${want.Name}, ${want.EmailAddress})`,
      });
    }
    return changes;
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const { aws, accountId } = target(ctx);
    const c = change.after as { AlternateContactType: AlternateContactType; Name: string; Title: string; EmailAddress: string; PhoneNumber: string };
    // PutAlternateContact is an upsert: create and update are the same call.
    await aws.account.send(new PutAlternateContactCommand({ ...c, ...(accountId ? { AccountId: accountId } : {}) }));
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const problems = new Map<AlternateContactType, string>();
    for (const type of TYPES) {
      const have = await current(ctx, type);
      if (!have) problems.set(type, `no ${type.toLowerCase()} contact`);
      else if (JSON.stringify(have) !== JSON.stringify(wanted(ctx, type))) problems.set(type, `the ${type.toLowerCase()} contact differs from the answers`);
    }
    const finding = (check: string, types: AlternateContactType[], ok: string): Finding => {
      const found = types.flatMap((t) => problems.get(t) ?? []);
      return {
        step: STEP,
        check,
        account: ctx.account,
        resource: `account:${ctx.account.id}/alternate-contacts`,
        status: found.length ? 'fail' : 'pass',
        reason: found.length ? found.join('; ') : ok,
        remediation: found.length ? 'Run `aws-groundwork apply` to set the contacts.' : '',
      };
    };
    return [finding('security-contacts.security-contact', ['SECURITY'], 'the security contact is set'), finding('security-contacts.all-contacts', TYPES, 'security, billing and operations contacts are set')];
  },
});
