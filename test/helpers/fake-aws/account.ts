/**
 * AWS Account Management: alternate contacts, of the caller's account or of a member's.
 * - alternate contacts: AccountId only from management, for members, with account trusted access; own id AccessDenied.
 */
import { AccessDeniedException, ResourceNotFoundException, ValidationException } from '@aws-sdk/client-account';
import { principalArn, type CallContext } from './auth.js';
import { meta, meta403, type Call, type HandlerTable, type Input } from './shared.js';
import type { ContactType, FakeAccountState, FakeState } from './state.js';

const TYPES: ContactType[] = ['SECURITY', 'BILLING', 'OPERATIONS'];

function invalid(message: string): ValidationException {
  return new ValidationException({ message, reason: 'fieldValidationFailed', ...meta });
}

function notFound(type: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message: `No contact of the inputted alternate contact type (${type}) found.`, ...meta });
}

/** The contact a call is about: its type, and the account (the caller's, or a member's with AccountId). */
function target(s: FakeState, i: Input, ctx: CallContext, operation: string): { type: ContactType; state: FakeAccountState } {
  const type = i.AlternateContactType as ContactType;
  if (!TYPES.includes(type)) throw invalid(`AlternateContactType must be one of ${TYPES.join(', ')}`);
  if (i.AccountId === undefined) return { type, state: s.stateOf(ctx.account) };
  const id = String(i.AccountId);
  const denied = (why: string) =>
    new AccessDeniedException({
      message: `User: ${principalArn(s, ctx)} is not authorized to perform: account:${operation} on account ${id} (${why})`,
      ...meta403,
    });
  const o = s.organization;
  if (!o || o.MasterAccountId !== ctx.account) throw denied('only the management account may name an AccountId');
  if (id === o.MasterAccountId) throw denied('the management account must omit AccountId for itself');
  if (!s.orgAccounts.has(id)) throw denied('the account is not a member of the organization');
  if (!s.serviceAccess.has('account.amazonaws.com')) throw denied('trusted access for account.amazonaws.com is not enabled');
  return { type, state: s.stateOf(id) };
}

function getAlternateContact({ s, i, ctx }: Call) {
  const { type, state } = target(s, i, ctx, 'GetAlternateContact');
  const c = state.contacts[type];
  if (!c) throw notFound(type);
  return { AlternateContact: { AlternateContactType: type, ...c } };
}

function putAlternateContact({ s, i, ctx }: Call) {
  const { type, state } = target(s, i, ctx, 'PutAlternateContact');
  const fields = ['Name', 'Title', 'EmailAddress', 'PhoneNumber'] as const;
  const missing = fields.filter((f) => typeof i[f] !== 'string' || !i[f]);
  if (missing.length > 0) throw invalid(`Missing required fields: ${missing.join(', ')}`);
  state.contacts[type] = {
    Name: String(i.Name),
    Title: String(i.Title),
    EmailAddress: String(i.EmailAddress),
    PhoneNumber: String(i.PhoneNumber),
  };
  return {};
}

function deleteAlternateContact({ s, i, ctx }: Call) {
  const { type, state } = target(s, i, ctx, 'DeleteAlternateContact');
  if (!state.contacts[type]) throw notFound(type);
  state.contacts[type] = undefined;
  return {};
}

export const ACCOUNT_HANDLERS: HandlerTable = {
  'account:GetAlternateContact': getAlternateContact,
  'account:PutAlternateContact': putAlternateContact,
  'account:DeleteAlternateContact': deleteAlternateContact,
};
