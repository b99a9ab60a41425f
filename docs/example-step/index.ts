import { AttachGroupPolicyCommand, CreateGroupCommand } from '@aws-sdk/client-iam';
import { object, string, type Infer } from '../../src/answers/schema.js';
import { attachedGroupPolicies, awsManagedPolicyArn, groupMembers } from '../../src/aws/iam-reads.js';
import { change, check, checks } from '../../src/kit/builders.js';
import { defineStep, type StepContext } from '../../src/kit/step.js';
import { doneOn } from '../../src/model.js';

/** The step's section of the answers file: prompts, flags, validation and the template come from it. */
const answers = object(
  {
    name: string({
      description: 'The auditors group: members can read security configuration, and change nothing',
      pattern: /^[\w+=,.@-]{1,128}$/,
      patternHint: 'letters, digits and + = , . @ _ -',
      default: 'Auditors',
    }),
  },
  { description: 'A read-only group for auditors' },
);

type Ctx = StepContext<Infer<typeof answers>>;

/** What apply can be asked to do: one handler each, given exactly this input. */
type Operations = {
  'create-group': { GroupName: string };
  'attach-policy': { GroupName: string; PolicyArn: string };
};

/** Each check's id is stable (reports and the control mapping key on it); title and fix live here. */
const CHECKS = checks({
  securityAudit: {
    id: 'auditors-group.security-audit',
    title: 'Auditors get read-only access from a group with the AWS-managed SecurityAudit policy',
    remediation: 'Run `aws-groundwork apply` to create the group and attach the policy.',
  },
});

const securityAudit = (ctx: Ctx) => awsManagedPolicyArn(ctx.caller.partition, 'SecurityAudit');

export default defineStep({
  id: 'auditors-group',
  title: 'Auditors group',
  description: 'Creates a group with the AWS-managed SecurityAudit policy, so an auditor can look without being able to touch.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  // Every action the step sends: the session refuses any other, and `aws-groundwork permissions` prints these.
  permissions: {
    read: ['iam:GetGroup', 'iam:ListAttachedGroupPolicies'],
    apply: ['iam:CreateGroup', 'iam:AttachGroupPolicy'],
  },

  // Reads only (the session refuses writes here), and returns nothing when all is as wanted.
  async plan(ctx) {
    const { name } = ctx.answers;
    const exists = (await groupMembers(ctx.aws.iam, name)) !== null;
    const attached = exists ? ((await attachedGroupPolicies(ctx.aws.iam, name)) ?? []) : [];
    const policy = { GroupName: name, PolicyArn: securityAudit(ctx) };
    return [
      ...(exists
        ? []
        : [
            change(
              'create-group',
              { GroupName: name },
              {
                address: `iam:group/${name}`,
                action: 'create',
                before: null,
                after: { GroupName: name },
                risk: 'none',
                summary: `create the IAM group ${name}`,
              },
            ),
          ]),
      ...(attached.includes(policy.PolicyArn)
        ? []
        : [
            change('attach-policy', policy, {
              address: `iam:group/${name}/policy/SecurityAudit`,
              action: 'create',
              before: null,
              after: policy,
              risk: 'security',
              summary: `attach SecurityAudit to ${name}`,
            }),
          ]),
    ];
  },

  apply: {
    // A group made by an interrupted run counts as done: a re-run converges instead of failing.
    async 'create-group'(ctx, input: Operations['create-group']) {
      await doneOn('EntityAlreadyExists')(() => ctx.aws.iam.send(new CreateGroupCommand(input)));
    },
    // Attaching an attached policy is a no-op in IAM, so a repeat after a lost answer is safe.
    async 'attach-policy'(ctx, input: Operations['attach-policy']) {
      await ctx.aws.iam.send(new AttachGroupPolicyCommand(input));
    },
  },

  async verify(ctx) {
    const { name } = ctx.answers;
    const attached = await attachedGroupPolicies(ctx.aws.iam, name);
    const problem =
      attached === null
        ? `the group ${name} does not exist`
        : !attached.includes(securityAudit(ctx)) && `the group ${name} lacks SecurityAudit`;
    return [check(CHECKS.securityAudit, `iam:group/${name}`, problem, `the group ${name} has the AWS-managed SecurityAudit policy`)];
  },
});
