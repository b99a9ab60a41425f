/**
 * What AWS Organizations' account-creation failures mean for a founder, and what to do. Keys are
 * CreateAccountStatus.FailureReason values and ConstraintViolationException reasons.
 */
const EXPLAIN: Record<string, (a: { name: string; email: string; path: string }) => string> = {
  EMAIL_ALREADY_EXISTS: (a) =>
    `the email ${a.email} already belongs to an AWS account (emails are unique across AWS, closed accounts included). Give ${a.name} an unused address, e.g. with plus addressing, at ${a.path}.email`,
  INVALID_EMAIL: (a) => `AWS rejected ${a.email} as an invalid email address. Correct it at ${a.path}.email`,
  ACCOUNT_LIMIT_EXCEEDED: (a) =>
    `the organization has reached its quota of accounts, so ${a.name} was not created. Ask for more: Service Quotas console > AWS Organizations > "Default maximum number of accounts", then run again`,
  ACCOUNT_NUMBER_LIMIT_EXCEEDED: (a) =>
    `the organization has reached its quota of accounts, so ${a.name} was not created. Ask for more: Service Quotas console > AWS Organizations > "Default maximum number of accounts", then run again`,
  CONCURRENT_ACCOUNT_MODIFICATION: (a) =>
    `another change to the organization was in progress while ${a.name} was being created. Run again in a few minutes`,
  INTERNAL_FAILURE: (a) => `AWS failed internally while creating ${a.name}. Run again; if it keeps failing, contact AWS Support`,
  MISSING_PAYMENT_INSTRUMENT: (a) =>
    `the management account has no valid payment method, so ${a.name} was not created. Add one: Billing console > Payment preferences, then run again`,
  MISSING_BUSINESS_VALIDATION: (a) =>
    `AWS needs to validate the business behind the management account before it creates ${a.name}. Follow the email from AWS, then run again`,
  PENDING_BUSINESS_VALIDATION: (a) =>
    `AWS is still validating the management account's business; ${a.name} can be created once that is done. Run again later`,
  INVALID_IDENTITY_FOR_BUSINESS_VALIDATION: (a) =>
    `AWS could not validate the management account's identity, so ${a.name} was not created. Contact AWS Support`,
  UNKNOWN_BUSINESS_VALIDATION: (a) => `AWS could not complete business validation, so ${a.name} was not created. Contact AWS Support`,
  INVALID_ADDRESS: (a) =>
    `the management account's address is invalid, so ${a.name} was not created. Correct it in the Billing console (Account settings), then run again`,
  GOVCLOUD_ACCOUNT_ALREADY_EXISTS: (a) => `a GovCloud account already exists for ${a.name}. Choose another name at ${a.path}.name`,
};

export function explainCreationFailure(reason: string | undefined, a: { name: string; email: string; path: string }): string {
  const explain = reason ? EXPLAIN[reason] : undefined;
  return explain
    ? `${explain(a)} (${reason})`
    : `AWS could not create ${a.name} (${reason ?? 'no reason given'}). Run again; if it repeats, check the Organizations console`;
}
