import type { PasswordPolicy } from '@aws-sdk/client-iam';

/**
 * The password policy as this tool writes and compares it: every field UpdateAccountPasswordPolicy
 * takes, always all of them, because the API resets each omitted field to a weak default.
 */
export interface WholePasswordPolicy {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  /** 0: passwords never expire (the API's way of saying so is to omit the field). */
  MaxPasswordAge: number;
  /** 0: no reuse prevention. */
  PasswordReusePrevention: number;
  HardExpiry: boolean;
}

export const POLICY_FIELDS = [
  'MinimumPasswordLength',
  'RequireSymbols',
  'RequireNumbers',
  'RequireUppercaseCharacters',
  'RequireLowercaseCharacters',
  'AllowUsersToChangePassword',
  'MaxPasswordAge',
  'PasswordReusePrevention',
  'HardExpiry',
] as const satisfies readonly (keyof WholePasswordPolicy)[];

export interface PolicyAnswers {
  minimumLength: number;
  reusePrevention: number;
  maxAgeDays: number;
}

export function desiredPolicy(a: PolicyAnswers): WholePasswordPolicy {
  return {
    MinimumPasswordLength: a.minimumLength,
    RequireSymbols: true,
    RequireNumbers: true,
    RequireUppercaseCharacters: true,
    RequireLowercaseCharacters: true,
    // Users must be able to set their own password, or the forced change at first sign-in fails.
    AllowUsersToChangePassword: true,
    MaxPasswordAge: a.maxAgeDays,
    PasswordReusePrevention: a.reusePrevention,
    // Hard expiry locks users out until an admin resets them; expired users change their own.
    HardExpiry: false,
  };
}

/** What IAM returns, with absent fields read as the API means them. */
export function normalize(p: PasswordPolicy): WholePasswordPolicy {
  return {
    MinimumPasswordLength: p.MinimumPasswordLength ?? 6,
    RequireSymbols: p.RequireSymbols ?? false,
    RequireNumbers: p.RequireNumbers ?? false,
    RequireUppercaseCharacters: p.RequireUppercaseCharacters ?? false,
    RequireLowercaseCharacters: p.RequireLowercaseCharacters ?? false,
    AllowUsersToChangePassword: p.AllowUsersToChangePassword ?? false,
    MaxPasswordAge: p.MaxPasswordAge ?? 0,
    PasswordReusePrevention: p.PasswordReusePrevention ?? 0,
    HardExpiry: p.HardExpiry ?? false,
  };
}

export function differences(actual: WholePasswordPolicy, wanted: WholePasswordPolicy): (typeof POLICY_FIELDS)[number][] {
  return POLICY_FIELDS.filter((f) => actual[f] !== wanted[f]);
}

/** The request for UpdateAccountPasswordPolicy: the whole object, MaxPasswordAge omitted for "never". */
export function updateRequest(p: WholePasswordPolicy) {
  const { MaxPasswordAge, ...rest } = p;
  return MaxPasswordAge > 0 ? { ...rest, MaxPasswordAge } : rest;
}
