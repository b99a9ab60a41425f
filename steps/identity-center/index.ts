import { defineStep } from '../../src/kit/step.js';
import { answers } from './answers.js';
import { readLive, regionOf, consolePath } from './live.js';
import { planAssignments, planGroups, planSets, planUnlisted, planUsers, type Operations } from './plan.js';
import { ssoHandoff } from './handoff.js';
import { suggestIdentityCenter } from './suggest.js';
import { CHECKS, verifyBreakGlass, verifyIdentityCenter, verifyInstanceMissing } from './verify.js';
import {
  addToGroup,
  assign,
  createGroup,
  createPermissionSet,
  createUser,
  removeFromGroup,
  updatePermissionSet,
  updateUser,
} from './writes.js';

export default defineStep<typeof answers, Operations>({
  id: 'identity-center',
  title: 'IAM Identity Center',
  description:
    'Lets people sign in through IAM Identity Center with short-lived credentials: admin, developer and read-only groups with permission sets assigned in every account by environment, and the users of the answers; IAM console users become break-glass only.',
  checks: CHECKS.list,
  scope: 'management',
  answers,
  destructiveOptIn: 'removeUnlistedMembers',
  permissions: {
    read: [
      'sso:ListInstances',
      'sso:ListPermissionSets',
      'sso:DescribePermissionSet',
      'sso:ListManagedPoliciesInPermissionSet',
      'sso:GetInlinePolicyForPermissionSet',
      'sso:ListAccountAssignmentsForPrincipal',
      // Apply's own reads: where a changed set is in use, and how its asynchronous requests end.
      'sso:ListAccountsForProvisionedPermissionSet',
      'sso:DescribePermissionSetProvisioningStatus',
      'sso:DescribeAccountAssignmentCreationStatus',
      'identitystore:GetGroupId',
      'identitystore:GetUserId',
      'identitystore:DescribeUser',
      'identitystore:ListGroupMemberships',
      'iam:ListUsers',
      'iam:GetLoginProfile',
    ],
    apply: [
      'sso:CreatePermissionSet',
      'sso:UpdatePermissionSet',
      'sso:AttachManagedPolicyToPermissionSet',
      'sso:DetachManagedPolicyFromPermissionSet',
      'sso:DeleteInlinePolicyFromPermissionSet',
      'sso:ProvisionPermissionSet',
      'sso:CreateAccountAssignment',
      'identitystore:CreateGroup',
      'identitystore:CreateUser',
      'identitystore:UpdateUser',
      'identitystore:CreateGroupMembership',
      'identitystore:DeleteGroupMembership',
    ],
    // Assigning a permission set makes a role (and, in the management account, a SAML provider) in the
    // account as the caller: the user guide asks for IAM permissions beside sso:* for the management account.
    implied: ['iam:CreateServiceLinkedRole', 'iam:CreateRole', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:CreateSAMLProvider'],
  },

  suggest: suggestIdentityCenter,

  async plan(ctx) {
    const live = await readLive(ctx);
    if (!live) {
      const region = regionOf(ctx);
      ctx.note(
        `IAM Identity Center is not enabled in ${region}, and only the console can enable it: open ${consolePath(region)}; the next run configures it.`,
      );
      return [];
    }
    const accounts = await ctx.accounts();
    return [
      ...planSets(ctx, live),
      ...planGroups(ctx, live),
      ...planUsers(ctx, live),
      ...planUnlisted(ctx, live),
      ...planAssignments(ctx, live, accounts),
    ];
  },

  apply: {
    'create-permission-set': createPermissionSet,
    'update-permission-set': updatePermissionSet,
    'create-group': createGroup,
    'create-user': createUser,
    'update-user': updateUser,
    'add-to-group': addToGroup,
    'remove-from-group': removeFromGroup,
    assign,
  },

  async verify(ctx) {
    const live = await readLive(ctx);
    if (!live) return verifyInstanceMissing(regionOf(ctx));
    const accounts = await ctx.accounts();
    return [...verifyIdentityCenter(ctx, live, accounts), ...(await verifyBreakGlass(ctx, accounts))];
  },

  handoff: { command: 'sso-config', read: ssoHandoff },
});
