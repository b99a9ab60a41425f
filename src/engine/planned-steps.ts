/** Design ids of steps that later versions add; named so answers files say "not yet" rather than "unknown". */
export const PLANNED_STEP_IDS = [
  'member-accounts',
  's3-block-public-access',
  'security-contacts',
] as const;
