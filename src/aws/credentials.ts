import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { getHomeDir, loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { AwsAccessError } from '../errors.js';
import type { Message } from '../io/host.js';

/** The shared config and credentials files of this run's environment: where the SDK looks too. */
export interface SharedFiles {
  configFilepath: string;
  filepath: string;
}

export function sharedFiles(env: NodeJS.ProcessEnv): SharedFiles {
  const expand = (path: string) => (path.startsWith('~/') ? join(getHomeDir(), path.slice(2)) : path);
  return {
    configFilepath: expand(env.AWS_CONFIG_FILE || '~/.aws/config'),
    filepath: expand(env.AWS_SHARED_CREDENTIALS_FILE || '~/.aws/credentials'),
  };
}

/** A profile someone asked for by name, and where they asked. */
export interface NamedProfile {
  name: string;
  from: '--profile' | 'AWS_PROFILE';
}

/** `--profile`, then AWS_PROFILE, as the SDK and the AWS CLI read them. */
export function namedProfile(profile: string | undefined, env: NodeJS.ProcessEnv): NamedProfile | undefined {
  if (profile) return { name: profile, from: '--profile' };
  if (env.AWS_PROFILE) return { name: env.AWS_PROFILE, from: 'AWS_PROFILE' };
  return undefined;
}

/** Where a run's credentials come from, for saying so when they fail. */
export interface CredentialOrigin {
  profile?: NamedProfile;
  files: SharedFiles;
  /** The files the named profile is in. */
  foundIn?: string[];
}

export interface CredentialOptions {
  profile: string | undefined;
  env: NodeJS.ProcessEnv;
  mfaCode?: (serial: string) => Promise<string>;
  /** For the STS calls of role profiles: the run's region and endpoint. */
  clientConfig: Record<string, unknown>;
  /** Says, once, which credentials are used when the environment offers two. */
  notify?: (message: Message) => void;
}

const describeFile = (path: string) => (existsSync(path) ? path : `${path} (no such file)`);

/** The SDK reads a profile from both files; `sso-session` and `services` sections are not profiles. */
async function findProfile(profile: NamedProfile, files: SharedFiles): Promise<string[]> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles(files);
  const foundIn = [...(configFile[profile.name] ? [files.configFilepath] : []), ...(credentialsFile[profile.name] ? [files.filepath] : [])];
  if (foundIn.length) return foundIn;
  const known = [...new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)])].filter(
    (name) => !/^(sso-session|services)\./.test(name),
  );
  const name = profile.name;
  throw new AwsAccessError(
    `AWS profile "${name}" (from ${profile.from}) is in neither ${describeFile(files.configFilepath)} nor ${describeFile(files.filepath)}`,
    `${known.length ? `Profiles there: ${known.join(', ')}.` : 'Neither file has a profile.'} ` +
      `Create it with \`aws configure --profile ${name}\` or \`aws configure sso --profile ${name}\`, or name another${profile.from === 'AWS_PROFILE' ? ' (or unset AWS_PROFILE)' : ''}.`,
  );
}

/**
 * One resolution for every client of the run (an MFA code is asked once), renewed five minutes
 * before it expires, and tried afresh after a failure: what the SDK's own chain does for itself.
 */
function sharedResolution(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let renewAt = Number.POSITIVE_INFINITY;
  return (properties) => {
    if (!current || Date.now() >= renewAt) {
      renewAt = Number.POSITIVE_INFINITY;
      const next = provider(properties).then((identity) => {
        renewAt = (identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY) - 300_000;
        return identity;
      });
      next.catch(() => {
        if (current === next) current = undefined;
      });
      current = next;
    }
    return current;
  };
}

/**
 * The run's credentials. A named profile is their only source: after a profile that gives none, the
 * SDK's chain would go on to a web identity and the instance role, and with keys also in the
 * environment it would warn, in its words, about an AWS_PROFILE the person may never have set. This
 * says once, in ours, which source is used. Without a name, the SDK's usual chain.
 */
export async function runCredentials(o: CredentialOptions): Promise<{ provider: AwsCredentialIdentityProvider; origin: CredentialOrigin }> {
  const files = sharedFiles(o.env);
  const profile = namedProfile(o.profile, o.env);
  const mfaCode = o.mfaCode;
  const init = { ...files, clientConfig: o.clientConfig, ...(mfaCode ? { mfaCodeProvider: (serial: string) => mfaCode(serial) } : {}) };
  if (!profile) return { provider: fromNodeProviderChain(init), origin: { files } };
  const foundIn = await findProfile(profile, files);
  if (o.env.AWS_ACCESS_KEY_ID && o.env.AWS_SECRET_ACCESS_KEY) {
    o.notify?.({
      code: 'GW_CREDENTIAL_SOURCE',
      level: 'warn',
      text:
        `Using AWS profile "${profile.name}" (from ${profile.from}); AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment are not used` +
        ` (${profile.from === '--profile' ? 'leave out --profile' : 'unset AWS_PROFILE'} to use them).`,
    });
  }
  return { provider: sharedResolution(fromIni({ ...init, profile: profile.name })), origin: { profile, files, foundIn } };
}

/** The SDK could not get credentials: from which profile or files, and how to give some. */
export function describeCredentialFailure(err: Error, origin: CredentialOrigin): AwsAccessError {
  const { profile, files } = origin;
  if (profile) {
    const name = profile.name;
    return new AwsAccessError(
      `AWS profile "${name}" (from ${profile.from}, in ${(origin.foundIn ?? [files.configFilepath]).join(' and ')}) gave no usable credentials: ${err.message}`,
      `Give it credentials: access keys (\`aws configure --profile ${name}\`), single sign-on (\`aws configure sso --profile ${name}\`, ` +
        `then \`aws sso login --profile ${name}\`), or a role_arn with a source_profile.`,
      { cause: err },
    );
  }
  return new AwsAccessError(
    `no usable AWS credentials (${err.message}); looked in the environment (AWS_ACCESS_KEY_ID), ` +
      `the default profile of ${files.configFilepath} and ${files.filepath}, and a container or instance role`,
    'Sign in with `aws sso login` or `aws configure`, pass --profile, or run in AWS CloudShell.',
    { cause: err },
  );
}
