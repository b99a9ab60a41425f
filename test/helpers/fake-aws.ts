/**
 * A stateful fake of the AWS APIs the steps use, installed with aws-sdk-client-mock on every client
 * class. All mocking lives here. Errors are the SDK's own exception classes, so error checks behave as
 * they do against AWS; a command with no handler rejects with its name.
 *
 * Behaviour notes, per API:
 * - sts:GetCallerIdentity answers with `fake.caller` (the management account by default).
 * - iam account alias: at most one per account. CreateAccountAlias replaces an existing alias (as AWS
 *   does); an alias held by another account (`fake.takenAliases`) or already this account's gives
 *   EntityAlreadyExistsException.
 * - iam password policy: GetAccountPasswordPolicy throws NoSuchEntityException when none is set;
 *   UpdateAccountPasswordPolicy replaces the whole policy, and every field it omits falls back to IAM's
 *   weak default (length 6, nothing required), exactly the trap the step must avoid.
 * - iam identities: groups, users, customer-managed policies with versions (documents come back
 *   URL-encoded, as IAM sends them), attachments, login profiles, access keys and MFA devices. Create*
 *   of an existing name gives EntityAlreadyExistsException; Get* of a missing one NoSuchEntityException;
 *   AttachGroupPolicy and AddUserToGroup are idempotent. A policy keeps at most 5 versions (LimitExceededException).
 * - root: `root` holds its access keys, MFA and password. ListAccessKeys/DeleteAccessKey without
 *   UserName act on the caller: root's keys when the caller is root, else the calling user's.
 *   GetAccountSummary reports AccountAccessKeysPresent / AccountMFAEnabled / AccountPasswordPresent.
 * - `failNext(operation, error)` makes the next matching call fail (fault injection).
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  IAMClient,
  EntityAlreadyExistsException,
  LimitExceededException,
  NoSuchEntityException,
  type PasswordPolicy,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { KMSClient } from '@aws-sdk/client-kms';
import { AccountClient } from '@aws-sdk/client-account';
import { isReadOperation, operationName, type ServiceId } from '../../src/aws/actions.js';

export const MANAGEMENT_ID = '111111111111';

export interface FakeUser {
  arn: string;
  /** The console password; null: no console access. */
  loginProfile: { password: string; passwordResetRequired: boolean } | null;
  accessKeys: { AccessKeyId: string; Status: 'Active' | 'Inactive' }[];
  mfaDevices: string[];
  attached: Set<string>;
}

export interface FakePolicy {
  arn: string;
  name: string;
  path: string;
  versions: { VersionId: string; Document: string; IsDefaultVersion: boolean; seq: number }[];
  nextVersion: number;
}

export interface FakeAccountState {
  alias: string | null;
  passwordPolicy: PasswordPolicy | null;
  groups: Map<string, { arn: string; attached: Set<string>; users: Set<string> }>;
  users: Map<string, FakeUser>;
  roles: Map<string, { attached: Set<string> }>;
  /** Customer-managed policies by ARN. */
  policies: Map<string, FakePolicy>;
  root: { accessKeys: { AccessKeyId: string; Status: 'Active' | 'Inactive' }[]; mfa: boolean; password: boolean };
}

export const AWS_MANAGED_POLICIES = new Set(['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);

export function newAccountState(accountId: string): FakeAccountState {
  return {
    alias: null,
    passwordPolicy: null,
    groups: new Map(),
    users: new Map([[
      'founder',
      { arn: `arn:aws:iam::${accountId}:user/founder`, loginProfile: null, accessKeys: [{ AccessKeyId: 'AKIAFOUNDER', Status: 'Active' }], mfaDevices: [], attached: new Set() },
    ]]),
    roles: new Map(),
    policies: new Map(),
    root: { accessKeys: [], mfa: true, password: true },
  };
}

export interface RecordedCall {
  service: ServiceId;
  operation: string;
  input: Record<string, unknown>;
}

type Handler = (input: Record<string, unknown>, account: FakeAccountState) => unknown;

const meta = { $metadata: {} };

const CLIENTS: [ServiceId, new (...args: never[]) => unknown][] = [
  ['iam', IAMClient],
  ['sts', STSClient],
  ['organizations', OrganizationsClient],
  ['cloudtrail', CloudTrailClient],
  ['s3', S3Client],
  ['s3control', S3ControlClient],
  ['kms', KMSClient],
  ['account', AccountClient],
];

/** IAM's values for every field an UpdateAccountPasswordPolicy request leaves out. */
const IAM_OMITTED_DEFAULTS: PasswordPolicy = {
  MinimumPasswordLength: 6,
  RequireSymbols: false,
  RequireNumbers: false,
  RequireUppercaseCharacters: false,
  RequireLowercaseCharacters: false,
  AllowUsersToChangePassword: false,
  HardExpiry: false,
};

export class FakeAws {
  readonly accounts = new Map<string, FakeAccountState>();
  caller = { Account: MANAGEMENT_ID, Arn: `arn:aws:iam::${MANAGEMENT_ID}:user/founder`, UserId: 'AIDAFOUNDER' };

  /** Makes the caller the account's root user, as in AWS CloudShell opened as root. */
  callAsRoot(): void {
    this.caller = { Account: MANAGEMENT_ID, Arn: `arn:aws:iam::${MANAGEMENT_ID}:root`, UserId: MANAGEMENT_ID };
  }
  /** Aliases that belong to other AWS accounts. */
  readonly takenAliases = new Set<string>();
  readonly calls: RecordedCall[] = [];
  private readonly stubs: { restore(): void }[] = [];
  private readonly faults: { operation: string; error: Error }[] = [];

  constructor() {
    this.accounts.set(MANAGEMENT_ID, newAccountState(MANAGEMENT_ID));
  }

  get management(): FakeAccountState {
    return this.accounts.get(MANAGEMENT_ID) as FakeAccountState;
  }

  /** Calls that would change something in AWS. */
  get writes(): RecordedCall[] {
    return this.calls.filter((c) => !isReadOperation(c.service, c.operation));
  }

  failNext(operation: string, error: Error): void {
    this.faults.push({ operation, error });
  }

  /** A deep copy of everything the fake holds, for before/after comparisons. */
  snapshot(): Record<string, unknown> {
    return structuredClone(Object.fromEntries(this.accounts));
  }

  install(): this {
    for (const [service, Client] of CLIENTS) {
      const stub = mockClient(Client as never);
      stub.send.callsFake(async (command: { input: object; constructor: { name: string } }) =>
        this.dispatch(service, operationName(command), (command.input ?? {}) as Record<string, unknown>),
      );
      this.stubs.push(stub);
    }
    return this;
  }

  restore(): void {
    for (const s of this.stubs) s.restore();
    this.stubs.length = 0;
  }

  private async dispatch(service: ServiceId, operation: string, input: Record<string, unknown>): Promise<{ $metadata: object }> {
    this.calls.push({ service, operation, input: structuredClone(input) });
    const fault = this.faults.findIndex((f) => f.operation === operation);
    if (fault >= 0) throw this.faults.splice(fault, 1)[0]?.error;
    const handler = this.handlers[`${service}:${operation}`];
    if (!handler) throw new Error(`fake AWS has no handler for ${service}:${operation}Command`);
    return { ...(handler(input, this.management) as object), ...meta };
  }

  private readonly handlers: Record<string, Handler> = {
    'sts:GetCallerIdentity': () => ({ ...this.caller }),

    'iam:ListAccountAliases': (_i, acct) => ({ AccountAliases: acct.alias ? [acct.alias] : [], IsTruncated: false }),
    'iam:CreateAccountAlias': (input, acct) => {
      const alias = input.AccountAlias as string;
      if (this.takenAliases.has(alias) || acct.alias === alias) {
        throw new EntityAlreadyExistsException({ message: `The account alias ${alias} already exists.`, ...meta });
      }
      acct.alias = alias;
      return {};
    },

    ...this.identityHandlers(),

    'iam:GetAccountPasswordPolicy': (_i, acct) => {
      if (!acct.passwordPolicy) {
        throw new NoSuchEntityException({
          message: `The Password Policy with domain name ${MANAGEMENT_ID} cannot be found.`,
          ...meta,
        });
      }
      return { PasswordPolicy: { ...acct.passwordPolicy } };
    },
    'iam:UpdateAccountPasswordPolicy': (input, acct) => {
      const policy: PasswordPolicy = { ...IAM_OMITTED_DEFAULTS, ...(input as PasswordPolicy) };
      policy.ExpirePasswords = (policy.MaxPasswordAge ?? 0) > 0;
      acct.passwordPolicy = policy;
      return {};
    },
  };

  private identityHandlers(): Record<string, Handler> {
    const noSuch = (what: string) => new NoSuchEntityException({ message: `${what} cannot be found.`, ...meta });
    const exists = (what: string) => new EntityAlreadyExistsException({ message: `${what} already exists.`, ...meta });
    const group = (acct: FakeAccountState, name: unknown) => {
      const g = acct.groups.get(name as string);
      if (!g) throw noSuch(`The group with name ${String(name)}`);
      return g;
    };
    const user = (acct: FakeAccountState, name: unknown) => {
      const u = acct.users.get(name as string);
      if (!u) throw noSuch(`The user with name ${String(name)}`);
      return u;
    };
    const policy = (acct: FakeAccountState, arn: unknown) => {
      const p = acct.policies.get(arn as string);
      if (!p) throw noSuch(`Policy ${String(arn)}`);
      return p;
    };
    const checkPolicyExists = (acct: FakeAccountState, arn: string) => {
      if (!AWS_MANAGED_POLICIES.has(arn)) policy(acct, arn);
    };
    const callerIsRoot = () => this.caller.Arn.endsWith(':root');
    const callerKeys = (acct: FakeAccountState, userName: unknown) => {
      if (userName !== undefined) return user(acct, userName).accessKeys;
      if (callerIsRoot()) return acct.root.accessKeys;
      return user(acct, this.caller.Arn.split('/').pop()).accessKeys;
    };
    const attachments = (acct: FakeAccountState, arn: string) =>
      [...acct.groups.values(), ...acct.users.values(), ...acct.roles.values()].filter((e) => e.attached.has(arn)).length;
    const page = <T>(items: T[]) => ({ items, IsTruncated: false });

    return {
      'iam:GetGroup': (i, acct) => {
        const g = group(acct, i.GroupName);
        const users = [...g.users].map((n) => ({ UserName: n, Arn: acct.users.get(n)?.arn }));
        return { Group: { GroupName: i.GroupName, Arn: g.arn }, Users: page(users).items, IsTruncated: false };
      },
      'iam:CreateGroup': (i, acct) => {
        const name = i.GroupName as string;
        if (acct.groups.has(name)) throw exists(`Group with name ${name}`);
        const g = { arn: `arn:aws:iam::${MANAGEMENT_ID}:group/${name}`, attached: new Set<string>(), users: new Set<string>() };
        acct.groups.set(name, g);
        return { Group: { GroupName: name, Arn: g.arn } };
      },
      'iam:ListAttachedGroupPolicies': (i, acct) => ({
        AttachedPolicies: [...group(acct, i.GroupName).attached].map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
        IsTruncated: false,
      }),
      'iam:AttachGroupPolicy': (i, acct) => {
        const g = group(acct, i.GroupName);
        checkPolicyExists(acct, i.PolicyArn as string);
        g.attached.add(i.PolicyArn as string);
        return {};
      },
      'iam:ListGroupsForUser': (i, acct) => {
        user(acct, i.UserName);
        const groups = [...acct.groups.entries()].filter(([, g]) => g.users.has(i.UserName as string));
        return { Groups: groups.map(([name, g]) => ({ GroupName: name, Arn: g.arn })), IsTruncated: false };
      },
      'iam:AddUserToGroup': (i, acct) => {
        user(acct, i.UserName);
        group(acct, i.GroupName).users.add(i.UserName as string);
        return {};
      },

      'iam:GetUser': (i, acct) => {
        const name = (i.UserName as string | undefined) ?? this.caller.Arn.split('/').pop();
        return { User: { UserName: name, Arn: user(acct, name).arn } };
      },
      'iam:CreateUser': (i, acct) => {
        const name = i.UserName as string;
        if (acct.users.has(name)) throw exists(`User with name ${name}`);
        const arn = `arn:aws:iam::${MANAGEMENT_ID}:user/${name}`;
        acct.users.set(name, { arn, loginProfile: null, accessKeys: [], mfaDevices: [], attached: new Set() });
        return { User: { UserName: name, Arn: arn } };
      },
      'iam:ListUsers': (_i, acct) => ({
        Users: [...acct.users.entries()].map(([name, u]) => ({ UserName: name, Arn: u.arn })),
        IsTruncated: false,
      }),
      'iam:GetLoginProfile': (i, acct) => {
        const u = user(acct, i.UserName);
        if (!u.loginProfile) throw noSuch(`Login Profile for User ${String(i.UserName)}`);
        return { LoginProfile: { UserName: i.UserName, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
      },
      'iam:CreateLoginProfile': (i, acct) => {
        const u = user(acct, i.UserName);
        if (u.loginProfile) throw exists(`Login Profile for user ${String(i.UserName)}`);
        u.loginProfile = { password: i.Password as string, passwordResetRequired: Boolean(i.PasswordResetRequired) };
        return { LoginProfile: { UserName: i.UserName, PasswordResetRequired: u.loginProfile.passwordResetRequired } };
      },
      'iam:ListAccessKeys': (i, acct) => ({
        AccessKeyMetadata: callerKeys(acct, i.UserName).map((k) => ({ ...k })),
        IsTruncated: false,
      }),
      'iam:DeleteAccessKey': (i, acct) => {
        const keys = callerKeys(acct, i.UserName);
        const at = keys.findIndex((k) => k.AccessKeyId === i.AccessKeyId);
        if (at < 0) throw noSuch(`The Access Key with id ${String(i.AccessKeyId)}`);
        keys.splice(at, 1);
        return {};
      },
      'iam:ListMFADevices': (i, acct) => {
        const devices = i.UserName === undefined && callerIsRoot() ? (acct.root.mfa ? ['root-mfa'] : []) : user(acct, i.UserName ?? this.caller.Arn.split('/').pop()).mfaDevices;
        return { MFADevices: devices.map((d) => ({ SerialNumber: d, UserName: i.UserName })), IsTruncated: false };
      },
      'iam:GetAccountSummary': (_i, acct) => ({
        SummaryMap: {
          AccountAccessKeysPresent: acct.root.accessKeys.length > 0 ? 1 : 0,
          AccountMFAEnabled: acct.root.mfa ? 1 : 0,
          AccountPasswordPresent: acct.root.password ? 1 : 0,
          AccountSigningCertificatesPresent: 0,
          Users: acct.users.size,
          Groups: acct.groups.size,
        },
      }),

      'iam:GetPolicy': (i, acct) => {
        const p = policy(acct, i.PolicyArn);
        const def = p.versions.find((v) => v.IsDefaultVersion);
        return {
          Policy: { PolicyName: p.name, Arn: p.arn, Path: p.path, DefaultVersionId: def?.VersionId, AttachmentCount: attachments(acct, p.arn) },
        };
      },
      'iam:CreatePolicy': (i, acct) => {
        const path = (i.Path as string | undefined) ?? '/';
        const arn = `arn:aws:iam::${MANAGEMENT_ID}:policy${path}${String(i.PolicyName)}`;
        if (acct.policies.has(arn)) throw exists(`A policy called ${String(i.PolicyName)}`);
        acct.policies.set(arn, {
          arn,
          name: i.PolicyName as string,
          path,
          versions: [{ VersionId: 'v1', Document: encodeURIComponent(i.PolicyDocument as string), IsDefaultVersion: true, seq: 1 }],
          nextVersion: 2,
        });
        return { Policy: { PolicyName: i.PolicyName, Arn: arn, DefaultVersionId: 'v1' } };
      },
      'iam:GetPolicyVersion': (i, acct) => {
        const v = policy(acct, i.PolicyArn).versions.find((x) => x.VersionId === i.VersionId);
        if (!v) throw noSuch(`Policy version ${String(i.VersionId)}`);
        return { PolicyVersion: { VersionId: v.VersionId, Document: v.Document, IsDefaultVersion: v.IsDefaultVersion } };
      },
      'iam:ListPolicyVersions': (i, acct) => ({
        Versions: policy(acct, i.PolicyArn).versions.map(({ VersionId, IsDefaultVersion }) => ({ VersionId, IsDefaultVersion })),
        IsTruncated: false,
      }),
      'iam:CreatePolicyVersion': (i, acct) => {
        const p = policy(acct, i.PolicyArn);
        if (p.versions.length >= 5) {
          throw new LimitExceededException({ message: 'A managed policy can have up to 5 versions.', ...meta });
        }
        const v = { VersionId: `v${p.nextVersion}`, Document: encodeURIComponent(i.PolicyDocument as string), IsDefaultVersion: false, seq: p.nextVersion++ };
        p.versions.push(v);
        if (i.SetAsDefault) for (const x of p.versions) x.IsDefaultVersion = x === v;
        return { PolicyVersion: { VersionId: v.VersionId, IsDefaultVersion: v.IsDefaultVersion } };
      },
      'iam:DeletePolicyVersion': (i, acct) => {
        const p = policy(acct, i.PolicyArn);
        const at = p.versions.findIndex((x) => x.VersionId === i.VersionId);
        if (at < 0) throw noSuch(`Policy version ${String(i.VersionId)}`);
        if (p.versions[at]?.IsDefaultVersion) throw new Error('DeleteConflict: cannot delete the default version');
        p.versions.splice(at, 1);
        return {};
      },
      'iam:ListPolicies': (i, acct) => {
        const local = [...acct.policies.values()].filter((p) => !i.OnlyAttached || attachments(acct, p.arn) > 0);
        return {
          Policies: local.map((p) => ({
            PolicyName: p.name,
            Arn: p.arn,
            DefaultVersionId: p.versions.find((v) => v.IsDefaultVersion)?.VersionId,
            AttachmentCount: attachments(acct, p.arn),
          })),
          IsTruncated: false,
        };
      },
    };
  }
}
