/**
 * The organizations the benchmark and the scale tests measure: the full example (a management account and five
 * members) grown to `size` accounts with sandbox accounts, one per engineer, as a startup a year on has them.
 */
import { FULL_EXAMPLE } from '../helpers/full-example.js';

/** The full example's answers with `size` accounts in all (management included): sandboxes make up the rest. */
export function organizationOf(size: number): string {
  const extra = Math.max(0, size - 6);
  const sandboxes = Array.from({ length: extra }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return `      - { name: acme-sandbox-${n}, email: aws+sandbox-${n}@acme.example, ou: Sandbox }\n`;
  }).join('');
  return FULL_EXAMPLE.replace('  org-trail:', `${sandboxes}  org-trail:`);
}

/** The same baseline with no member accounts: the management account alone. */
export const ONE_ACCOUNT = FULL_EXAMPLE.replace(/ {2}member-accounts:\n( {4}.*\n| {6}.*\n)*/, '');

/** A fresh account's whole baseline with ten member accounts to create: the example's five and five sandboxes. */
export const TEN_NEW_ACCOUNTS = organizationOf(11);
