import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsCommand,
  ListCreateAccountStatusCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  TagResourceCommand,
  type Account,
  type CreateAccountStatus,
} from '@aws-sdk/client-organizations';
import { list, object, string } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { allTokenPages } from '../../src/aws/iam-reads.js';
import { IsolatedFailure, isAwsError } from '../../src/engine/errors.js';
import { defineStep, type AccountRef, type Change, type Finding, type StepContext } from '../../src/engine/types.js';
import { explainCreationFailure } from './failures.js';

const STEP = 'member-accounts';
const ENV_TAG = 'environment';

const accountSchema = object(
  {
    name: string({
      description: 'Account name, e.g. acme-dev',
      pattern: /^[\w .,@&'-]{1,50}$/,
      patternHint: 'at most 50 letters, digits, spaces and . , @ & \' - _',
    }),
    email: string({
      description: "The account's root email address: unique across AWS, e.g. aws+dev@acme.example",
      pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
      patternHint: 'an email address',
      maxLength: 64,
    }),
    ou: string({ description: 'Organizational unit to put it in', pattern: /^[\w .,@&'-]{1,128}$/, patternHint: 'an OU name', default: 'Workloads' }),
    env: string({
      description: 'Environment (dev, staging, prod); default: the last hyphenated part of the name',
      pattern: /^[a-z0-9]+$/,
      patternHint: 'lowercase letters and digits',
      optional: true,
    }),
  },
  { description: 'a member account' },
);

const answers = object(
  {
    accounts: list(accountSchema, {
      description:
        'Member accounts, e.g. [{ name: acme-dev, email: aws+dev@acme.example, ou: Workloads }, ...staging, ...prod]; each is created once and found again by email',
      default: [],
    }),
  },
  { description: 'OUs and the member accounts' },
);

interface Wanted {
  name: string;
  email: string;
  ou: string;
  env: string;
}
type Ctx = StepContext<{ accounts: { name: string; email: string; ou: string; env?: string }[] }>;

function wanted(ctx: Ctx): Wanted[] {
  return ctx.answers.accounts.map((a) => ({ ...a, env: a.env ?? a.name.split('-').pop()?.toLowerCase() ?? a.name }));
}

function allAccounts(aws: AwsClients): Promise<Account[]> {
  return allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListAccountsCommand({ NextToken }));
    return { items: r.Accounts, NextToken: r.NextToken };
  });
}

const byEmail = (accounts: Account[], email: string) => accounts.find((a) => a.Email?.toLowerCase() === email.toLowerCase());

async function rootId(aws: AwsClients): Promise<string> {
  const r = await aws.organizations.send(new ListRootsCommand({}));
  const id = r.Roots?.[0]?.Id;
  if (!id) throw new Error('the organization has no root; run the organization step first');
  return id;
}

async function ousUnder(aws: AwsClients, parentId: string): Promise<Map<string, string>> {
  const ous = await allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken }));
    return { items: r.OrganizationalUnits, NextToken: r.NextToken };
  });
  return new Map(ous.filter((ou) => ou.Name && ou.Id).map((ou) => [ou.Name as string, ou.Id as string]));
}

async function parentOf(aws: AwsClients, accountId: string): Promise<string | undefined> {
  return (await aws.organizations.send(new ListParentsCommand({ ChildId: accountId }))).Parents?.[0]?.Id;
}

async function envTag(aws: AwsClients, accountId: string): Promise<string | undefined> {
  const r = await aws.organizations.send(new ListTagsForResourceCommand({ ResourceId: accountId }));
  return r.Tags?.find((t) => t.Key === ENV_TAG)?.Value;
}

/** Requests still running, e.g. from a run that was interrupted right after CreateAccount returned. */
function inProgress(aws: AwsClients): Promise<CreateAccountStatus[]> {
  return allTokenPages(async (NextToken) => {
    const r = await aws.organizations.send(new ListCreateAccountStatusCommand({ States: ['IN_PROGRESS'], NextToken }));
    return { items: r.CreateAccountStatuses, NextToken: r.NextToken };
  });
}

/** Whether the organization is there to hold accounts (on a fresh account, the organization step makes it). */
async function organizationExists(aws: AwsClients): Promise<boolean> {
  try {
    await aws.organizations.send(new ListRootsCommand({}));
    return true;
  } catch (err) {
    if (isAwsError(err, 'AWSOrganizationsNotInUse')) return false;
    throw err;
  }
}

const POLL_START_MS = 2_000;
const POLL_MAX_MS = 15_000;
/** Real creation takes minutes; past this the run stops and a re-run picks the request up again. */
const CREATION_TIMEOUT_MS = 20 * 60_000;

export default defineStep({
  id: STEP,
  title: 'Member accounts',
  description: 'Creates the OUs and one AWS account per environment (dev, staging, prod), once, found again by email.',
  checks: [{ id: 'member-accounts.accounts', title: 'Each configured member account exists, is in its OU and carries its environment tag' }],
  scope: 'management',
  answers,
  permissions: {
    read: [
      'organizations:ListAccounts',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListParents',
      'organizations:ListTagsForResource',
      'organizations:ListCreateAccountStatus',
      'organizations:DescribeCreateAccountStatus',
    ],
    apply: ['organizations:CreateAccount', 'organizations:CreateOrganizationalUnit', 'organizations:MoveAccount', 'organizations:TagResource'],
    // The engine reaches members through OrganizationAccountAccessRole; CreateAccount makes a
    // service-linked role as the caller.
    implied: ['sts:AssumeRole', 'iam:CreateServiceLinkedRole'],
  },

  async discoverAccounts(ctx: Ctx): Promise<{ existing: AccountRef[]; pending: AccountRef[] }> {
    const want = wanted(ctx);
    if (want.length === 0) return { existing: [], pending: [] };
    const accounts = (await organizationExists(ctx.aws)) ? await allAccounts(ctx.aws) : [];
    const existing: AccountRef[] = [];
    const pending: AccountRef[] = [];
    for (const w of want) {
      const found = byEmail(accounts, w.email);
      if (found?.Id && found.Status === 'ACTIVE') existing.push({ id: found.Id, name: w.name, role: 'member', env: w.env });
      else pending.push({ id: `(new: ${w.name})`, name: w.name, role: 'member', env: w.env, pending: true });
    }
    return { existing, pending };
  },

  async plan(ctx: Ctx): Promise<Change[]> {
    const want = wanted(ctx);
    if (want.length === 0) return [];
    const changes: Change[] = [];
    const push = (address: string, action: Change['action'], before: Change['before'], after: Change['after'], summary: string) =>
      changes.push({ step: STEP, account: ctx.account, address, action, before, after, risk: 'security', summary });
    const orgExists = await organizationExists(ctx.aws);
    const root = orgExists ? await rootId(ctx.aws) : null;
    const ous = root ? await ousUnder(ctx.aws, root) : new Map<string, string>();
    for (const ou of new Set(want.map((w) => w.ou))) {
      if (!ous.has(ou)) push(`organizations:ou/${ou}`, 'create', null, { Name: ou }, `create the organizational unit ${ou}`);
    }
    // Requests first, then accounts: a request that finishes between the two reads shows up as an
    // account, never as neither (which would plan a second CreateAccount).
    const running = orgExists ? await inProgress(ctx.aws) : [];
    const accounts = orgExists ? await allAccounts(ctx.aws) : [];
    for (const w of want) {
      const found = byEmail(accounts, w.email);
      if (!found?.Id) {
        const resuming = running.some((r) => r.AccountName === w.name);
        push(
          `organizations:account/${w.name}`,
          'create',
          null,
          { Name: w.name, Email: w.email, OrganizationalUnit: w.ou, Environment: w.env },
          resuming
            ? `finish creating the account ${w.name} (a request from an earlier run is still in progress)`
            : `create the account ${w.name} (${w.email}) in ${w.ou}; accounts are long-lived and the email stays theirs`,
        );
        continue;
      }
      const parent = await parentOf(ctx.aws, found.Id);
      if (parent !== ous.get(w.ou)) {
        push(`organizations:account/${w.name}/ou`, 'update', parent ?? null, { OrganizationalUnit: w.ou, AccountId: found.Id, SourceParentId: parent ?? '' }, `move ${w.name} into ${w.ou}`);
      }
      const tag = await envTag(ctx.aws, found.Id);
      if (tag !== w.env) {
        push(`organizations:account/${w.name}/tags`, tag ? 'update' : 'create', tag ?? null, { AccountId: found.Id, [ENV_TAG]: w.env }, `tag ${w.name} ${ENV_TAG}=${w.env}`);
      }
    }
    return changes;
  },

  async apply(ctx: Ctx, change: Change): Promise<void> {
    const org = ctx.aws.organizations;
    const after = change.after as Record<string, string>;
    const ouAddress = /^organizations:ou\/(.+)$/.exec(change.address);
    if (ouAddress) {
      try {
        await org.send(new CreateOrganizationalUnitCommand({ ParentId: await rootId(ctx.aws), Name: after.Name }));
      } catch (err) {
        if (!isAwsError(err, 'DuplicateOrganizationalUnit')) throw err;
      }
      return;
    }
    if (change.address.endsWith('/ou')) {
      await moveInto(ctx.aws, after.AccountId as string, after.OrganizationalUnit as string);
      return;
    }
    if (change.address.endsWith('/tags')) {
      await org.send(new TagResourceCommand({ ResourceId: after.AccountId, Tags: [{ Key: ENV_TAG, Value: after[ENV_TAG] as string }] }));
      return;
    }
    await createAccount(ctx, { name: after.Name as string, email: after.Email as string, ou: after.OrganizationalUnit as string, env: after.Environment as string });
  },

  async verify(ctx: Ctx): Promise<Finding[]> {
    const want = wanted(ctx);
    if (want.length === 0) return [];
    const orgExists = await organizationExists(ctx.aws);
    const accounts = orgExists ? await allAccounts(ctx.aws) : [];
    const ous = orgExists ? await ousUnder(ctx.aws, await rootId(ctx.aws)) : new Map<string, string>();
    const findings: Finding[] = [];
    for (const w of want) {
      const found = byEmail(accounts, w.email);
      const problems: string[] = [];
      if (!found?.Id) problems.push(`${w.name} (${w.email}) does not exist`);
      else {
        if (found.Status !== 'ACTIVE') problems.push(`${w.name} is ${found.Status}`);
        if ((await parentOf(ctx.aws, found.Id)) !== ous.get(w.ou)) problems.push(`${w.name} is not in ${w.ou}`);
        if ((await envTag(ctx.aws, found.Id)) !== w.env) problems.push(`${w.name} is not tagged ${ENV_TAG}=${w.env}`);
      }
      findings.push({
        step: STEP,
        check: 'member-accounts.accounts',
        account: ctx.account,
        resource: found?.Id ? `organizations:account/${found.Id}` : `organizations:account/${w.name}`,
        status: problems.length ? 'fail' : 'pass',
        reason: problems.length ? problems.join('; ') : `${w.name} (${found?.Id}) is in ${w.ou}, tagged ${ENV_TAG}=${w.env}`,
        remediation: problems.length ? 'Run `aws-groundwork apply`.' : '',
      });
    }
    return findings;
  },
});

async function moveInto(aws: AwsClients, accountId: string, ouName: string): Promise<void> {
  const root = await rootId(aws);
  const target = (await ousUnder(aws, root)).get(ouName);
  if (!target) throw new Error(`the organizational unit ${ouName} does not exist`);
  const source = await parentOf(aws, accountId);
  if (source === target) return;
  try {
    await aws.organizations.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: source, DestinationParentId: target }));
  } catch (err) {
    if (!isAwsError(err, 'DuplicateAccount')) throw err;
  }
}

/**
 * Creates one account, at most once. CreateAccount has no idempotency token, so before asking for a
 * new account it looks for one with this email, then for a request still in progress under this
 * name (an interrupted run), and follows that instead. Failures AWS reports for this account alone
 * do not stop the other accounts.
 */
async function createAccount(ctx: Ctx, w: Wanted): Promise<void> {
  const org = ctx.aws.organizations;
  const path = `steps.member-accounts.accounts[${ctx.answers.accounts.findIndex((a) => a.email === w.email)}]`;
  const started = Date.now();
  // Requests first, then accounts (see plan): a request that finishes in between is seen as the account.
  const running = await inProgress(ctx.aws);
  let accountId = byEmail(await allAccounts(ctx.aws), w.email)?.Id;
  if (!accountId) {
    let requestId = running.find((r) => r.AccountName === w.name)?.Id;
    if (!requestId) {
      try {
        const r = await org.send(
          new CreateAccountCommand({ Email: w.email, AccountName: w.name, Tags: [{ Key: ENV_TAG, Value: w.env }] }),
        );
        requestId = r.CreateAccountStatus?.Id;
      } catch (err) {
        if (isAwsError(err, 'ConstraintViolation')) {
          const reason = (err as { Reason?: string }).Reason;
          throw new IsolatedFailure(explainCreationFailure(reason, { ...w, path }));
        }
        throw err;
      }
    }
    let delay = POLL_START_MS;
    for (;;) {
      const status = (await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: requestId }))).CreateAccountStatus;
      if (status?.State === 'SUCCEEDED') {
        accountId = status.AccountId;
        break;
      }
      if (status?.State === 'FAILED') throw new IsolatedFailure(explainCreationFailure(status.FailureReason, { ...w, path }));
      ctx.progress(`${w.name}: ${status?.State ?? 'waiting'}, ${Math.round((Date.now() - started) / 1000)} s so far (AWS takes a few minutes)`);
      if (Date.now() - started > CREATION_TIMEOUT_MS) {
        throw new Error(`${w.name} is still being created after ${Math.round((Date.now() - started) / 60_000)} minutes; run again later to pick it up`);
      }
      await ctx.sleep(delay);
      delay = Math.min(delay * 2, POLL_MAX_MS);
    }
  }
  if (!accountId) throw new Error(`AWS reported ${w.name} created without an account id`);
  await moveInto(ctx.aws, accountId, w.ou);
  if ((await envTag(ctx.aws, accountId)) !== w.env) {
    await org.send(new TagResourceCommand({ ResourceId: accountId, Tags: [{ Key: ENV_TAG, Value: w.env }] }));
  }
  ctx.note(`${w.name} is account ${accountId} (ready after ${Math.max(1, Math.round((Date.now() - started) / 1000))} s)`);
}
