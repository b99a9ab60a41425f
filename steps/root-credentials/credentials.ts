import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteSigningCertificateCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { allPages } from '../../src/aws/iam-reads.js';
import { doneOn } from '../../src/model.js';

/** A root credential that is already gone meets the goal. */
export const goneOn = doneOn('NoSuchEntity');

/** Without UserName, ListAccessKeys lists the caller's own keys: root's, when the caller is root. */
export function ownAccessKeys(iam: IAMClient) {
  return allPages(async (Marker) => {
    const r = await iam.send(new ListAccessKeysCommand({ Marker }));
    return { items: r.AccessKeyMetadata, IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
}

async function deleteAccessKeys(iam: IAMClient): Promise<void> {
  for (const k of await ownAccessKeys(iam)) await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: k.AccessKeyId }));
}

async function deleteSigningCertificates(iam: IAMClient): Promise<void> {
  const certificates = await allPages(async (Marker) => {
    const r = await iam.send(new ListSigningCertificatesCommand({ Marker }));
    return { items: r.Certificates, IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  for (const c of certificates) await iam.send(new DeleteSigningCertificateCommand({ CertificateId: c.CertificateId }));
}

async function deactivateMfaDevices(iam: IAMClient): Promise<void> {
  const devices = await allPages(async (Marker) => {
    const r = await iam.send(new ListMFADevicesCommand({ Marker }));
    return { items: r.MFADevices, IsTruncated: r.IsTruncated, Marker: r.Marker };
  });
  for (const d of devices) await iam.send(new DeactivateMFADeviceCommand({ SerialNumber: d.SerialNumber }));
}

/**
 * Root credentials a member may have; with centralized root access, members need none of them.
 * `remove` runs in the member's root session: without UserName every call acts on the root user the
 * session belongs to. Every page is read before the first delete: deleting shifts what a later
 * page's Marker points at.
 */
export const MEMBER_CREDENTIALS = [
  {
    kind: 'password',
    flag: 'AccountPasswordPresent',
    what: 'the root password',
    remove: (iam: IAMClient) => goneOn(() => iam.send(new DeleteLoginProfileCommand({}))),
  },
  { kind: 'access-keys', flag: 'AccountAccessKeysPresent', what: 'root access keys', remove: deleteAccessKeys },
  {
    kind: 'signing-certificates',
    flag: 'AccountSigningCertificatesPresent',
    what: 'root signing certificates',
    remove: deleteSigningCertificates,
  },
  { kind: 'mfa-devices', flag: 'AccountMFAEnabled', what: 'root MFA devices', remove: deactivateMfaDevices },
] as const;

export type MemberCredential = (typeof MEMBER_CREDENTIALS)[number]['kind'];
