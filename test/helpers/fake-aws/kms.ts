/**
 * KMS, per account and region: keys belong to the account that made them (a member's, through its
 * role), and a call sees the keys of its own account only, except a key ARN CloudTrail is given.
 * - kms: keys `kms` (ids in counter order) and aliases `kmsAliases` per region; DescribeKey takes an id,
 *   key ARN, alias or alias ARN, the other key APIs only an id or key ARN; a key of another region is
 *   NotFoundException. CreateKey without Policy gets KMS's default account-root `kms:*` policy.
 * - paging (`pageSize`): KMS lists answer `Truncated` + `NextMarker`; a malformed Marker is
 *   InvalidMarkerException.
 */
import {
  AlreadyExistsException,
  InvalidAliasNameException,
  InvalidMarkerException,
  KMSServiceException,
  MalformedPolicyDocumentException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { meta, type Call, type HandlerTable, type Input } from './shared.js';
import type { FakeKey, FakeState } from './state.js';

/** Where an account's region keeps its aliases: `<region>` for the caller's account, else `<account>:<region>`. */
const aliasesAt = (s: FakeState, region: string, account: string) => (account === s.caller.Account ? region : `${account}:${region}`);

/** The aliases of an account's region, to read: a read never changes the state (no empty map is stored). */
function aliasesIn(s: FakeState, region: string, account: string = s.caller.Account): ReadonlyMap<string, string> {
  return s.kmsAliases.get(aliasesAt(s, region, account)) ?? new Map();
}

/** The aliases of an account's region, to change (made empty on first use). */
function writableAliasesIn(s: FakeState, region: string, account: string): Map<string, string> {
  const at = aliasesAt(s, region, account);
  let aliases = s.kmsAliases.get(at);
  if (!aliases) {
    aliases = new Map();
    s.kmsAliases.set(at, aliases);
  }
  return aliases;
}

/** The account a key belongs to, from its ARN. */
export const ownerOf = (k: FakeKey) => k.Arn.split(':')[4] ?? '';

/**
 * The key a KeyId names in this region: a key id or key ARN, and with `aliases` an alias name
 * (`alias/x`) or alias ARN too. Undefined when there is none in this region.
 */
export function findKey(s: FakeState, ref: unknown, region: string, aliases: boolean, account: string | null): FakeKey | undefined {
  const id = String(ref ?? '');
  const arn = /^arn:aws[\w-]*:kms:([^:]*):(\d{12}):(key|alias)\/(.+)$/.exec(id);
  let keyId: string | undefined;
  // `account` null: any account's key, named by its ARN (what CloudTrail may be given).
  let owner = account;
  if (arn) {
    const [, arnRegion, arnAccount = '', kind, rest] = arn;
    if (arnRegion !== region || (account !== null && arnAccount !== account)) return undefined;
    owner = arnAccount;
    keyId = kind === 'key' ? rest : aliases ? aliasesIn(s, region, arnAccount).get(`alias/${rest}`) : undefined;
  } else if (id.startsWith('alias/')) {
    keyId = aliases && owner !== null ? aliasesIn(s, region, owner).get(id) : undefined;
  } else {
    keyId = id;
  }
  const key = keyId === undefined ? undefined : s.kms.get(keyId);
  return key && key.region === region && (owner === null || ownerOf(key) === owner) ? key : undefined;
}

/**
 * Answers a page of `items` as KMS does: from the offset a Marker carries, `pageSize` items at most
 * (fewer when Limit asks), with `Truncated` and the `NextMarker` to send next.
 */
function kmsPage<T>(s: FakeState, items: T[], input: Input): { items: T[]; Truncated: boolean; NextMarker?: string } {
  let start = 0;
  if (input.Marker !== undefined) {
    const m = /^fake-kms-marker-(\d+)$/.exec(String(input.Marker));
    if (!m) {
      throw new InvalidMarkerException({
        message: 'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
        ...meta,
      });
    }
    start = Number(m[1]);
  }
  const asked = input.Limit as number | undefined;
  if (asked !== undefined && !(asked >= 1)) {
    throw new KMSServiceException({
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: `1 validation error detected: Value '${String(asked)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    });
  }
  const end = start + Math.min(s.pageSize, asked ?? Number.POSITIVE_INFINITY);
  if (end >= items.length) return { items: items.slice(start), Truncated: false };
  return { items: items.slice(start, end), Truncated: true, NextMarker: `fake-kms-marker-${end}` };
}

/** The key a call names, or KMS's NotFoundException. */
function key(s: FakeState, ref: unknown, region: string, account: string, aliases = false): FakeKey {
  const k = findKey(s, ref, region, aliases, account);
  if (!k) {
    const alias = String(ref).includes('alias/');
    const message = !alias
      ? `Key '${String(ref)}' does not exist`
      : aliases
        ? `Alias ${String(ref)} is not found.`
        : `Invalid keyId ${String(ref)}: this API takes a key id or key ARN, not an alias`;
    throw new NotFoundException({ message, ...meta });
  }
  return k;
}

function checkPolicy(policy: unknown): string {
  try {
    JSON.parse(String(policy));
  } catch (err) {
    throw new MalformedPolicyDocumentException({ message: `The key policy is not valid JSON: ${(err as Error).message}`, ...meta });
  }
  return String(policy);
}

function checkPolicyName(i: Input): void {
  const name = (i.PolicyName as string | undefined) ?? 'default';
  if (name !== 'default') throw new NotFoundException({ message: `No such policy: ${name}`, ...meta });
}

function defaultPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

function metadata(k: FakeKey) {
  return {
    AWSAccountId: ownerOf(k),
    KeyId: k.KeyId,
    Arn: k.Arn,
    Description: k.Description,
    Enabled: true,
    KeyState: k.KeyState,
    KeyManager: 'CUSTOMER',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    Origin: 'AWS_KMS',
  };
}

function createKey({ s, i, region, ctx }: Call) {
  const policy = i.Policy === undefined ? defaultPolicy(ctx.account) : checkPolicy(i.Policy);
  const n = s.nextKeyNumber++;
  const KeyId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const k: FakeKey = {
    KeyId,
    Arn: `arn:aws:kms:${region}:${ctx.account}:key/${KeyId}`,
    region,
    Description: (i.Description as string | undefined) ?? '',
    KeyState: 'Enabled',
    policy,
    rotation: false,
    tags: ((i.Tags as FakeKey['tags'] | undefined) ?? []).map((t) => ({ ...t })),
  };
  s.kms.set(KeyId, k);
  return { KeyMetadata: metadata(k) };
}

function describeKey({ s, i, region, ctx }: Call) {
  return { KeyMetadata: metadata(key(s, i.KeyId, region, ctx.account, true)) };
}

function createAlias({ s, i, region, ctx }: Call) {
  const name = String(i.AliasName);
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.startsWith('alias/aws/')) {
    throw new InvalidAliasNameException({ message: `Alias ${name} is not a valid customer alias name.`, ...meta });
  }
  const k = key(s, i.TargetKeyId, region, ctx.account);
  const aliases = writableAliasesIn(s, region, ctx.account);
  if (aliases.has(name)) {
    throw new AlreadyExistsException({
      message: `An alias with the name arn:aws:kms:${region}:${ctx.account}:${name} already exists`,
      ...meta,
    });
  }
  aliases.set(name, k.KeyId);
  return {};
}

function listAliases({ s, i, region, ctx }: Call) {
  const only = i.KeyId === undefined ? undefined : key(s, i.KeyId, region, ctx.account).KeyId;
  const { items, ...rest } = kmsPage(
    s,
    [...aliasesIn(s, region, ctx.account)].filter(([, keyId]) => only === undefined || keyId === only),
    i,
  );
  const Aliases = items.map(([AliasName, TargetKeyId]) => ({
    AliasName,
    AliasArn: `arn:aws:kms:${region}:${ctx.account}:${AliasName}`,
    TargetKeyId,
  }));
  return { Aliases, ...rest };
}

function listKeys({ s, i, region, ctx }: Call) {
  const { items, ...rest } = kmsPage(
    s,
    [...s.kms.values()].filter((k) => k.region === region && ownerOf(k) === ctx.account),
    i,
  );
  return { Keys: items.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })), ...rest };
}

function listResourceTags({ s, i, region, ctx }: Call) {
  const { items, ...rest } = kmsPage(s, key(s, i.KeyId, region, ctx.account).tags, i);
  return { Tags: items.map((t) => ({ ...t })), ...rest };
}

function getKeyPolicy({ s, i, region, ctx }: Call) {
  const k = key(s, i.KeyId, region, ctx.account);
  checkPolicyName(i);
  return { Policy: k.policy, PolicyName: 'default' };
}

function putKeyPolicy({ s, i, region, ctx }: Call) {
  const k = key(s, i.KeyId, region, ctx.account);
  checkPolicyName(i);
  k.policy = checkPolicy(i.Policy);
  return {};
}

function getKeyRotationStatus({ s, i, region, ctx }: Call) {
  const k = key(s, i.KeyId, region, ctx.account);
  return { KeyId: k.Arn, KeyRotationEnabled: k.rotation };
}

function enableKeyRotation({ s, i, region, ctx }: Call) {
  key(s, i.KeyId, region, ctx.account).rotation = true;
  return {};
}

function disableKeyRotation({ s, i, region, ctx }: Call) {
  key(s, i.KeyId, region, ctx.account).rotation = false;
  return {};
}

export const KMS_HANDLERS: HandlerTable = {
  'kms:CreateKey': createKey,
  'kms:DescribeKey': describeKey,
  'kms:CreateAlias': createAlias,
  'kms:ListAliases': listAliases,
  'kms:ListKeys': listKeys,
  'kms:ListResourceTags': listResourceTags,
  'kms:GetKeyPolicy': getKeyPolicy,
  'kms:PutKeyPolicy': putKeyPolicy,
  'kms:GetKeyRotationStatus': getKeyRotationStatus,
  'kms:EnableKeyRotation': enableKeyRotation,
  'kms:DisableKeyRotation': disableKeyRotation,
};
