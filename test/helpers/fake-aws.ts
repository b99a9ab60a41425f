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
 * - `failNext(operation, error)` makes the next matching call fail (fault injection).
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  IAMClient,
  EntityAlreadyExistsException,
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

export interface FakeAccountState {
  alias: string | null;
  passwordPolicy: PasswordPolicy | null;
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
  /** Aliases that belong to other AWS accounts. */
  readonly takenAliases = new Set<string>();
  readonly calls: RecordedCall[] = [];
  private readonly stubs: { restore(): void }[] = [];
  private readonly faults: { operation: string; error: Error }[] = [];

  constructor() {
    this.accounts.set(MANAGEMENT_ID, { alias: null, passwordPolicy: null });
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
  snapshot(): Record<string, FakeAccountState> {
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
}
