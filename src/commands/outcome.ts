/** What a command ends with; only `src/cli.ts` turns it into an exit code. */
export type Outcome =
  | 'ok'
  /** plan --detailed-exitcode with changes pending. */
  | 'changes-pending'
  /** verify (or apply's verify) found failing or erroring controls. */
  | 'controls-failing'
  /** A step failed while planning; the rest of the plan was still shown. */
  | 'step-failed';
