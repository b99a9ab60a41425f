/**
 * The `~/.aws/config` block that lets the founder run `aws sso login` (AWS CLI v2, SSO token provider layout):
 * one `[sso-session <name>]` section and one `[profile <name>]` per account and permission set. Pure: no AWS calls.
 */

export interface SsoConfigInput {
  /** The access portal URL, e.g. https://d-1234567890.awsapps.com/start */
  startUrl: string;
  /** The region IAM Identity Center is enabled in. */
  ssoRegion: string;
  /** The home region the profiles default to. */
  region: string;
  /** The sso-session name: from the account alias (e.g. `acme`); must be made ini-safe. */
  sessionName: string;
  /** Each account with the permission sets assigned in it, in a stable order. */
  accounts: { id: string; name: string; roles: string[] }[];
}

/** One `[profile …]` section of the block. */
export interface SsoProfile {
  name: string;
  accountId: string;
  /** The permission set name, exactly: the CLI asks the portal for a role by this name. */
  roleName: string;
}

/** The first line of every block, so a command or a person can find (and replace) a block appended earlier. */
export const SSO_CONFIG_BEGIN = '# aws-groundwork sso-config';
/** The last line of every block. */
export const SSO_CONFIG_END = '# end of aws-groundwork sso-config';

const ACCOUNT_ID = /^\d{12}$/;
/** IAM Identity Center's own pattern for a permission set name. */
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** No whitespace, `;` or `#`: the SDK's ini parser would cut the value at a comment marker after a space. */
const START_URL = /^https:\/\/[^\s;#]+$/;
const FALLBACK_SESSION_NAME = 'aws-groundwork';

/**
 * The default access portal URL of an Identity Center instance (d-xxxxxxxxxx.awsapps.com). A customized portal
 * subdomain is not derivable from the store id: when the founder has one, that URL is the start URL to use.
 */
export function portalUrl(identityStoreId: string): string {
  // The id becomes a host name label: anything else would make a URL that points somewhere unintended.
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(identityStoreId)) {
    throw new Error(`Not an identity store id: ${JSON.stringify(identityStoreId)}`);
  }
  return `https://${identityStoreId}.awsapps.com/start`;
}

/**
 * `<account slug>-<role slug>`: lowercase letters, digits and single hyphens only, which both the CLI's
 * configparser and the SDK's section-name pattern accept unquoted. A trailing `Access` is dropped from the role
 * (AdministratorAccess → administrator). Unique only per pair: {@link ssoProfiles} resolves collisions.
 */
export function profileName(accountName: string, role: string): string {
  const roleSlug = slug(role);
  return `${slug(accountName) || 'account'}-${roleSlug.replace(/-?access$/, '') || roleSlug || 'role'}`;
}

/** The block's profiles, in input order, with distinct names. */
export function ssoProfiles(input: SsoConfigInput): SsoProfile[] {
  const pairs = distinctPairs(input.accounts);
  const base = pairs.map(({ account, role }) => profileName(account.name, role));
  const seen = tally(base);
  // Only colliding names get the account id, so adding an account whose names collide with none renames no profile
  // the founder already uses; the id (not the position) keeps the result the same when accounts are reordered.
  const qualified = pairs.map(({ account }, i) => (seen.get(base[i]!)! > 1 ? `${base[i]}-${account.id}` : base[i]!));
  const taken = new Set<string>();
  return pairs.map(({ account, role }, i) => {
    let name = qualified[i]!;
    // Still taken: one account holds two roles of one slug (ReadOnly and ReadOnlyAccess); input order decides.
    for (let n = 2; taken.has(name); n++) name = `${qualified[i]}-${n}`;
    taken.add(name);
    return { name, accountId: account.id, roleName: role };
  });
}

/** The sso-session name as written in the block and typed after `aws sso login --sso-session`. */
export function ssoSessionName(sessionName: string): string {
  return slug(sessionName) || FALLBACK_SESSION_NAME;
}

/**
 * The whole block. Safe to append once to an existing `~/.aws/config`: it starts on a fresh line (a file without a
 * trailing newline keeps its last value), holds only whole-line comments (configparser has no inline comments),
 * and ends with a newline. The same input gives the same text.
 */
export function ssoConfigBlock(input: SsoConfigInput): string {
  validate(input);
  const session = ssoSessionName(input.sessionName);
  const profiles = ssoProfiles(input);
  const usage = [`#   aws sso login --sso-session ${session}`];
  if (profiles[0]) usage.push(`#   aws s3 ls --profile ${profiles[0].name}`);
  const lines = [
    '',
    `${SSO_CONFIG_BEGIN} (${session}): sign in through IAM Identity Center with the AWS CLI v2.`,
    `# Access portal: ${input.startUrl}`,
    `# Append once to ~/.aws/config (to update it, replace this block down to its last line), then run:`,
    ...usage,
    `[sso-session ${session}]`,
    `sso_start_url = ${input.startUrl}`,
    `sso_region = ${input.ssoRegion}`,
    'sso_registration_scopes = sso:account:access',
  ];
  for (const profile of profiles) {
    lines.push('', `[profile ${profile.name}]`, `sso_session = ${session}`, `sso_account_id = ${profile.accountId}`);
    lines.push(`sso_role_name = ${profile.roleName}`, `region = ${input.region}`, 'output = json');
  }
  lines.push('', `${SSO_CONFIG_END} (${session})`);
  return `${lines.join('\n')}\n`;
}

/** Every value lands in an ini file unquoted: one that could break a line or a section is a bug upstream. */
function validate(input: SsoConfigInput): void {
  const fail = (what: string, value: string): never => {
    throw new Error(`Cannot write the sso-config block: ${what} ${JSON.stringify(value)} is not valid.`);
  };
  if (!START_URL.test(input.startUrl)) fail('the access portal URL', input.startUrl);
  if (!REGION.test(input.ssoRegion)) fail('the Identity Center region', input.ssoRegion);
  if (!REGION.test(input.region)) fail('the home region', input.region);
  for (const account of input.accounts) {
    if (!ACCOUNT_ID.test(account.id)) fail('the account id', account.id);
    for (const role of account.roles) if (!PERMISSION_SET_NAME.test(role)) fail('the permission set name', role);
  }
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The same permission set listed twice for one account is one profile, not two. */
function distinctPairs(accounts: SsoConfigInput['accounts']): { account: SsoConfigInput['accounts'][number]; role: string }[] {
  const seen = new Set<string>();
  return accounts.flatMap((account) =>
    account.roles.flatMap((role) => {
      const key = `${account.id}/${role}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ account, role }];
    }),
  );
}

function tally(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
