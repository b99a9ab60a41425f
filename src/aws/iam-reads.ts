import {
  GetGroupCommand,
  GetLoginProfileCommand,
  ListAttachedGroupPoliciesCommand,
  ListMFADevicesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { absentOn } from '../model.js';

/**
 * Reads of IAM (and the pagination helpers) that several steps share. Each follows IAM's Marker pagination to the end and reads
 * `NoSuchEntity` as "absent", the one error that means something here.
 */

export async function allPages<T>(
  fetch: (marker: string | undefined) => Promise<{ items: T[] | undefined; IsTruncated?: boolean; Marker?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...(page.items ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** Organizations' pagination (NextToken) followed to the end, as `allPages` does for IAM's Marker. */
export async function allTokenPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; NextToken?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...(page.items ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/** Null when the IAM entity does not exist. */
export const orAbsent = absentOn('NoSuchEntity');

/** The group's member names, or null when there is no such group. */
export function groupMembers(iam: IAMClient, groupName: string): Promise<string[] | null> {
  return orAbsent(() =>
    allPages(async (Marker) => {
      const r = await iam.send(new GetGroupCommand({ GroupName: groupName, Marker }));
      return { items: r.Users?.map((u) => u.UserName as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
    }),
  );
}

/** ARNs of the managed policies attached to a group, or null when there is no such group. */
export function attachedGroupPolicies(iam: IAMClient, groupName: string): Promise<string[] | null> {
  return orAbsent(() =>
    allPages(async (Marker) => {
      const r = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: groupName, Marker }));
      return { items: r.AttachedPolicies?.map((p) => p.PolicyArn as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
    }),
  );
}

export async function hasConsolePassword(iam: IAMClient, userName: string): Promise<boolean> {
  return (await orAbsent(() => iam.send(new GetLoginProfileCommand({ UserName: userName })))) !== null;
}

export function mfaDevices(iam: IAMClient, userName: string): Promise<string[]> {
  return allPages(async (Marker) => {
    const r = await iam.send(new ListMFADevicesCommand({ UserName: userName, Marker }));
    return { items: r.MFADevices?.map((d) => d.SerialNumber as string), IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
}

/** IAM returns policy documents URL-encoded. */
export function decodePolicyDocument(document: string | undefined): Record<string, unknown> {
  return JSON.parse(decodeURIComponent(document ?? '{}')) as Record<string, unknown>;
}

export function awsManagedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
