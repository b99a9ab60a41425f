import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { boolean, list, object, string, unique, type Infer } from '../../src/answers/schema.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { PreconditionError } from '../../src/errors.js';
import { defineStep, type StepContext } from '../../src/kit/step.js';
import { doneOn, isAwsError } from '../../src/model.js';
import { requireOrganization } from '../organization/preconditions.js';
import { REGION_GUARDRAIL, layoutOf } from './layout.js';
import { REGION } from './policies.js';
import { readLive } from './live.js';
import { planAttachments, planPending, planPolicy, planRegionsOff, planTypes, type AccountPolicy, type Operations } from './plan.js';
import { policyIdNamed, rootId, type PolicyType } from './reads.js';
import { GUARDRAIL_CHECKS, POLICY_TYPES_CHECK, verifyGuardrails } from './verify.js';

const answers = object(
  {
    noAccessKeysIn: list(
      string({ description: 'an environment', pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/, patternHint: 'an environment such as prod' }),
      {
        description:
          'Environments whose accounts may have no IAM access keys at all (long-lived keys are the credentials most often leaked)',
        default: ['staging', 'prod'],
        rules: [unique({ key: (env) => env, what: 'the environment', why: 'each environment is listed once' })],
      },
    ),
    allowedRegions: list(
      string({
        description: 'an AWS region',
        pattern: REGION,
        patternHint: 'an AWS region name such as eu-west-1',
      }),
      {
        description:
          'Regions member accounts may use (SSB ACCT.17); every other region is denied but for global services and the admin role. Empty: no region is denied',
        default: [],
        rules: [unique({ key: (region) => region, what: 'the region', why: 'each region is listed once' })],
      },
    ),
    allowRegionDeny: boolean({
      description: 'Allow denying the regions outside allowedRegions, which stops whatever runs there (needed without a terminal)',
      default: false,
      optIn: true,
    }),
  },
  { description: 'Service and resource control policies that keep the baseline in place in every member account' },
);

type Ctx = StepContext<Infer<typeof answers>>;

/** Creates a policy; one an interrupted run made under the name (DuplicatePolicyException) is found and given this content. */
async function createPolicy(aws: AwsClients, p: { name: string; type: PolicyType; description: string; content: string }): Promise<void> {
  const made = await doneOn('DuplicatePolicyException')(() =>
    aws.organizations.send(new CreatePolicyCommand({ Name: p.name, Type: p.type, Description: p.description, Content: p.content })),
  );
  if (made) return;
  const PolicyId = await policyIdNamed(aws, p.type, p.name);
  await aws.organizations.send(new UpdatePolicyCommand({ PolicyId, Content: p.content }));
}

/** How long an attach waits for a policy type just enabled: EnablePolicyType may leave it PENDING_ENABLE for a while. */
const TYPE_PENDING_WAITS_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

/**
 * Attaches a policy this tool named; attached already (a repeat after a lost answer) is done. Right
 * after EnablePolicyType, AWS may still refuse with PolicyTypeNotEnabledException: waited out, then said.
 */
async function attach(
  aws: AwsClients,
  { name, type }: { name: string; type: PolicyType },
  TargetId: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const PolicyId = await policyIdNamed(aws, type, name);
  for (const wait of [...TYPE_PENDING_WAITS_MS, null]) {
    try {
      await doneOn('DuplicatePolicyAttachmentException')(() => aws.organizations.send(new AttachPolicyCommand({ PolicyId, TargetId })));
      return;
    } catch (err) {
      if (wait === null || !isAwsError(err, 'PolicyTypeNotEnabledException')) throw err;
      await sleep(wait);
    }
  }
}

/** One member account's guardrails: the policy that names it made first when missing, then each attached. */
async function guardAccount(ctx: Ctx, accountId: string, policies: AccountPolicy[]): Promise<void> {
  for (const p of policies) if (p.make) await createPolicy(ctx.aws, { name: p.name, type: p.type, ...p.make });
  for (const p of policies) await attach(ctx.aws, p, accountId, ctx.sleep);
}

/** The guardrails this run writes, read of the organization (and the region guardrail when it is to be detached). */
async function readAll(ctx: Ctx) {
  const layout = await layoutOf(ctx);
  const region = REGION_GUARDRAIL;
  const extra = region && !layout.wanted.some((g) => g.name === region.name) ? [region] : [];
  return { layout, live: await readLive(ctx.aws, ctx.account.id, [...layout.wanted, ...extra]) };
}

export default defineStep({
  id: 'guardrails',
  title: 'Guardrails',
  description:
    'Writes service and resource control policies that keep the baseline in place in every member account: nobody leaves the organization, turns off what this tool turned on, touches the logs, or creates access keys in staging and production.',
  checks: [POLICY_TYPES_CHECK, ...GUARDRAIL_CHECKS],
  scope: 'management',
  answers,
  // Only the region guardrail is destructive: it can stop workloads running in a region it denies.
  destructiveOptIn: 'allowRegionDeny',
  permissions: {
    read: [
      'organizations:DescribeOrganization',
      'organizations:ListRoots',
      'organizations:ListPolicies',
      'organizations:DescribePolicy',
      'organizations:ListTargetsForPolicy',
      'organizations:ListPoliciesForTarget',
    ],
    apply: [
      'organizations:EnablePolicyType',
      'organizations:CreatePolicy',
      'organizations:UpdatePolicy',
      'organizations:AttachPolicy',
      'organizations:DetachPolicy',
    ],
  },

  async plan(ctx) {
    // SCPs and RCPs need an organization with all features, which the organization step makes.
    await requireOrganization(ctx, { what: 'the guardrails (service and resource control policies)' });
    const { layout, live } = await readAll(ctx);
    // In the run, the organization step refuses such an organization itself; this says it for the guardrails.
    if (live.unusable)
      throw new PreconditionError(`the guardrails need an organization with all features, managed by this account: ${live.unusable}`);
    return [
      ...planTypes(layout, live),
      ...layout.wanted.flatMap((g) => planPolicy(g, live)),
      ...(await planAttachments(ctx, layout, live)),
      ...planRegionsOff(ctx.answers, live),
      ...planPending(ctx, layout),
    ];
  },

  apply: {
    async 'enable-policy-type'(ctx, { type }: Operations['enable-policy-type']) {
      const RootId = await rootId(ctx.aws);
      await doneOn('PolicyTypeAlreadyEnabledException')(() =>
        ctx.aws.organizations.send(new EnablePolicyTypeCommand({ RootId, PolicyType: type })),
      );
    },
    // CreatePolicy is not idempotent: after a lost answer the policy may exist, and is then found by name and restored.
    async 'create-policy'(ctx, input: Operations['create-policy']) {
      await createPolicy(ctx.aws, input);
    },
    async 'update-policy'(ctx, { name, type, content }: Operations['update-policy']) {
      const PolicyId = await policyIdNamed(ctx.aws, type, name);
      await ctx.aws.organizations.send(new UpdatePolicyCommand({ PolicyId, Content: content }));
    },
    async 'attach-policy'(ctx, input: Operations['attach-policy']) {
      await attach(ctx.aws, input, await rootId(ctx.aws), ctx.sleep);
    },
    async 'guard-account'(ctx, { accountId, policies }: Operations['guard-account']) {
      await guardAccount(ctx, accountId, policies);
    },
    // Only ever this tool's region guardrail, from the root: FullAWSAccess and the user's own policies are never detached.
    async 'detach-policy'(ctx, { name, type }: Operations['detach-policy']) {
      const PolicyId = await policyIdNamed(ctx.aws, type, name);
      const TargetId = await rootId(ctx.aws);
      await doneOn('PolicyNotAttachedException')(() => ctx.aws.organizations.send(new DetachPolicyCommand({ PolicyId, TargetId })));
    },
  },

  async verify(ctx) {
    const { layout, live } = await readAll(ctx);
    return verifyGuardrails(layout, live);
  },
});
