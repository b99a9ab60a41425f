import { GetAlternateContactCommand, PutAlternateContactCommand, type AlternateContactType } from '@aws-sdk/client-account';
import { object, string, type Infer } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep, type StepContext } from '../../src/kit/step.js';
import { absentOn, type AccountRef } from '../../src/model.js';
import { requireOrganization } from '../organization/preconditions.js';

const STEP = 'security-contacts';

const contact = (who: string, optional: boolean) =>
  object(
    {
      name: string({
        description: `${who} contact's name`,
        minLength: 1,
        maxLength: 64,
        placeholder: { text: '<full name>', put: `the name of the person AWS should write to about ${who.toLowerCase()}` },
      }),
      title: string({
        description: `${who} contact's title`,
        minLength: 1,
        maxLength: 50,
        placeholder: { text: '<job title>', put: "that person's job title", eg: 'CTO' },
      }),
      email: string({
        description: `${who} contact's email (a list that reaches a person, not a single inbox)`,
        pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
        patternHint: 'an email address',
        maxLength: 254,
        placeholder: {
          text: `${who.toLowerCase()}@<your-domain>`,
          put: 'an email address that reaches a person',
          eg: `${who.toLowerCase()}@acme.example`,
        },
      }),
      phone: string({
        description: `${who} contact's phone`,
        pattern: /^[\s0-9()+-]{4,25}$/,
        patternHint: 'a phone number such as +1 555 0100',
        placeholder: { text: '<phone number>', put: 'a phone number that reaches that person', eg: '+1 555 0100' },
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

type Ctx = StepContext<Infer<typeof answers>>;
type Contact = Infer<typeof answers>['security'];

const TYPES: AlternateContactType[] = ['SECURITY', 'BILLING', 'OPERATIONS'];

function wanted(ctx: Ctx, type: AlternateContactType) {
  // Billing and operations are optional: absent, they are the security contact.
  const own: Contact | undefined = type === 'BILLING' ? ctx.answers.billing : type === 'OPERATIONS' ? ctx.answers.operations : undefined;
  const c = own ?? ctx.answers.security;
  return { Name: c.name, Title: c.title, EmailAddress: c.email, PhoneNumber: c.phone };
}

/**
 * The management account manages its own contacts without AccountId (passing its own id is refused);
 * members' contacts are managed from the management account with AccountId (trusted access for
 * account.amazonaws.com), so no session in the member is needed.
 */
function target(ctx: Pick<Ctx, 'account' | 'aws' | 'managementAws'>): { aws: AwsClients; accountId?: string } {
  return ctx.account.role === 'management' ? { aws: ctx.aws } : { aws: ctx.managementAws, accountId: ctx.account.id };
}

async function current(ctx: Parameters<typeof target>[0], type: AlternateContactType) {
  const { aws, accountId } = target(ctx);
  const read = await absentOn('ResourceNotFound')(() =>
    aws.account.send(new GetAlternateContactCommand({ AlternateContactType: type, ...(accountId ? { AccountId: accountId } : {}) })),
  );
  if (!read) return null;
  const c = read.AlternateContact;
  return { Name: c?.Name ?? '', Title: c?.Title ?? '', EmailAddress: c?.EmailAddress ?? '', PhoneNumber: c?.PhoneNumber ?? '' };
}

const asAnswer = (c: ReturnType<typeof wanted>) => ({ name: c.Name, title: c.Title, email: c.EmailAddress, phone: c.PhoneNumber });

const address = (account: AccountRef, type: string) => `account:${account.id}/alternate-contact/${type.toLowerCase()}`;

const remediation = 'Run `aws-groundwork apply` to set the contacts.';
const CHECKS = checks({
  security: { id: 'security-contacts.security-contact', title: 'Security contact information is registered', remediation },
  all: { id: 'security-contacts.all-contacts', title: 'Account-level contacts (security, billing, operations) are set', remediation },
});

/** PutAlternateContact with this contact, in the change's account. */
type Operations = { 'put-contact': ReturnType<typeof wanted> & { AlternateContactType: AlternateContactType } };

export default defineStep({
  id: STEP,
  title: 'Security contacts',
  description: 'Sets the security, billing and operations contacts AWS writes to, in every account, so security notices reach a person.',
  checks: CHECKS.list,
  scope: 'every-account',
  answers,
  permissions: {
    read: ['account:GetAlternateContact', 'organizations:DescribeOrganization', 'organizations:ListAWSServiceAccessForOrganization'],
    apply: ['account:PutAlternateContact'],
  },

  async suggest(ctx) {
    const [security, billing, operations] = await Promise.all(TYPES.map((t) => current(ctx, t)));
    const defaults: Record<string, unknown> = {};
    const notes: Record<string, string[]> = {};
    if (security) defaults.security = asAnswer(security);
    else notes.security = ['The account has no security contact: put the person AWS should write to.'];
    // Absent, billing and operations are the security contact: written only when they differ from it.
    for (const [key, c] of [
      ['billing', billing],
      ['operations', operations],
    ] as const) {
      if (!c) notes[key] = [`The account has no ${key} contact: the plan sets it to the security contact.`];
      else if (!security || JSON.stringify(c) !== JSON.stringify(security)) defaults[key] = asAnswer(c);
    }
    const facts = [security ? `Security contact: ${security.Name} <${security.EmailAddress}>` : 'Security contact: none yet'];
    return { defaults, facts, notes };
  },

  async plan(ctx) {
    if (ctx.account.role === 'member') {
      const what = `setting the alternate contacts of ${ctx.account.name} from the management account`;
      await requireOrganization(ctx, { what, trustedAccess: ['account.amazonaws.com'] });
    }
    const changes = [];
    for (const type of TYPES) {
      const have = await current(ctx, type);
      const want = wanted(ctx, type);
      if (have && JSON.stringify(have) === JSON.stringify(want)) continue;
      const contact = { AlternateContactType: type, ...want };
      changes.push(
        change('put-contact', contact, {
          address: address(ctx.account, type),
          action: have ? 'update' : 'create',
          before: have,
          after: { ...contact },
          risk: 'none',
          summary: `${have ? 'update' : 'set'} the ${type.toLowerCase()} contact (${want.Name}, ${want.EmailAddress})`,
        }),
      );
    }
    return changes;
  },

  apply: {
    async 'put-contact'(ctx, contact: Operations['put-contact']) {
      const { aws, accountId } = target(ctx);
      // PutAlternateContact is an upsert: create and update are the same call.
      await aws.account.send(new PutAlternateContactCommand({ ...contact, ...(accountId ? { AccountId: accountId } : {}) }));
    },
  },

  async verify(ctx) {
    const problems = new Map<AlternateContactType, string>();
    for (const type of TYPES) {
      const have = await current(ctx, type);
      if (!have) problems.set(type, `no ${type.toLowerCase()} contact`);
      else if (JSON.stringify(have) !== JSON.stringify(wanted(ctx, type)))
        problems.set(type, `the ${type.toLowerCase()} contact differs from the answers`);
    }
    const resource = `account:${ctx.account.id}/alternate-contacts`;
    const found = (types: AlternateContactType[]) => types.flatMap((t) => problems.get(t) ?? []);
    return [
      check(CHECKS.security, resource, found(['SECURITY']), 'the security contact is set'),
      check(CHECKS.all, resource, found(TYPES), 'security, billing and operations contacts are set'),
    ];
  },
});
