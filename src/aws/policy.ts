import { MEMBER_ROLE } from './session.js';

/**
 * The identity-based policy `aws-groundwork permissions` prints. Most actions have no resource-level
 * permissions worth narrowing and stay on `*`; the two ways into member accounts do not, because
 * `OrganizationAccountAccessRole` is an administrator in every member and a member's root user is more.
 *
 * The document must hold without knowing the caller: `permissions` makes no AWS call, so the partition,
 * the account ids and the organization id are not known when it is printed. Hence `arn:*:` (IAM
 * allows a wildcard in any ARN segment) and policy variables rather than ids.
 */

/** The AWS managed root-task policies the session may scope a member's root session to (`sts:AssumeRoot`). */
export const ROOT_TASK_POLICIES = ['IAMAuditRootUserCredentials', 'IAMDeleteRootUserCredentials'] as const;
export type RootTaskPolicy = (typeof ROOT_TASK_POLICIES)[number];

/** A customer managed policy may hold this many characters, white space not counted (IAM quotas). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string | string[];
  Resource: string;
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * Actions that get a statement of their own, narrowed to what the session really does with them.
 * Listed in the order their statements are printed.
 */
const SCOPED: Record<string, Omit<PolicyStatement, 'Effect' | 'Action'>> = {
  // The session assumes exactly this role in members (src/aws/session.ts), never another. The
  // condition keeps it to accounts of the caller's own organization: an account outside it may hold a
  // role of that name that trusts the caller too. The policy variable compares the role's organization
  // with the caller's, whichever that is; AWS documents this comparison in identity-based policies.
  'sts:AssumeRole': {
    Sid: 'AwsGroundworkReachMemberAccounts',
    Resource: `arn:*:iam::*:role/${MEMBER_ROLE}`,
    Condition: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
  },
  // AssumeRoot takes the member's root user as its resource, and AWS itself allows it only into member
  // accounts of the caller's organization. What the root session may do is the task policy it asks
  // for: only the ones the tool asks for are allowed.
  'sts:AssumeRoot': {
    Sid: 'AwsGroundworkMemberRootTasks',
    Resource: 'arn:*:iam::*:root',
    Condition: { ArnLike: { 'sts:TaskPolicyArn': ROOT_TASK_POLICIES.map((p) => `arn:*:iam::aws:policy/root-task/${p}`) } },
  },
};

/**
 * One statement on `*` for the actions that have no narrower statement, then one per scoped action
 * that is asked for. The same actions give the same document, byte for byte.
 */
export function identityPolicy(actions: readonly string[], sid: string): PolicyDocument {
  const wanted = new Set(actions);
  const unscoped = [...wanted].filter((a) => !Object.hasOwn(SCOPED, a)).sort((a, b) => a.localeCompare(b));
  const statements: PolicyStatement[] = [];
  if (unscoped.length > 0) statements.push({ Sid: sid, Effect: 'Allow', Action: unscoped, Resource: '*' });
  for (const [action, scope] of Object.entries(SCOPED)) {
    if (!wanted.has(action)) continue;
    const { Sid, Resource, Condition } = scope;
    statements.push({ Sid, Effect: 'Allow', Action: action, Resource, ...(Condition ? { Condition } : {}) });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The size IAM holds against its quotas, or a little more: IAM does not count white space, and the
 * minified document has none outside its strings (which hold none either).
 */
export function policySize(policy: PolicyDocument): number {
  return JSON.stringify(policy).length;
}
