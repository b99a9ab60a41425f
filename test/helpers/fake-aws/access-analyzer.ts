/**
 * IAM Access Analyzer, regional: analyzers by `<account>|<region>`, then by name (`analyzers`).
 * - an ORGANIZATION analyzer only in the management account or Access Analyzer's delegated
 *   administrator, with trusted access for access-analyzer.amazonaws.com (ValidationException otherwise,
 *   as the emulator does); one organization analyzer per account and region (ServiceQuotaExceededException).
 * - a name taken: ConflictException; an unknown one: ResourceNotFoundException. Analyzers are ACTIVE at once.
 * - ListAnalyzers answers pages of at most `pageSize`, nextToken an offset.
 */
import {
  ConflictException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ValidationException,
  type ValidationExceptionReason,
} from '@aws-sdk/client-accessanalyzer';
import { meta, type Call, type HandlerTable } from './shared.js';
import type { FakeAnalyzer } from './state.js';

const PRINCIPAL = 'access-analyzer.amazonaws.com';

function analyzersOf({ s, ctx, region }: Call): Map<string, FakeAnalyzer> {
  const k = `${ctx.account}|${region}`;
  let m = s.analyzers.get(k);
  if (!m) s.analyzers.set(k, (m = new Map()));
  return m;
}

function named(call: Call): FakeAnalyzer {
  const a = analyzersOf(call).get(String(call.i.analyzerName));
  if (!a) {
    throw new ResourceNotFoundException({
      message: `Analyzer ${String(call.i.analyzerName)} not found`,
      resourceId: String(call.i.analyzerName),
      resourceType: 'Analyzer',
      ...meta,
    });
  }
  return a;
}

const invalid = (message: string) => new ValidationException({ message, reason: 'cannotParse' as ValidationExceptionReason, ...meta });
const summary = (a: FakeAnalyzer) => ({ arn: a.arn, name: a.name, type: a.type, status: a.status, createdAt: new Date(0) });

export const ACCESS_ANALYZER_HANDLERS: HandlerTable = {
  'accessAnalyzer:ListAnalyzers': (call) => {
    const all = [...analyzersOf(call).values()].filter((a) => !call.i.type || a.type === call.i.type);
    const start = Number(call.i.nextToken ?? 0);
    const end = start + Math.min(call.s.pageSize, Number(call.i.maxResults ?? call.s.pageSize));
    return { analyzers: all.slice(start, end).map(summary), ...(end < all.length ? { nextToken: String(end) } : {}) };
  },
  'accessAnalyzer:GetAnalyzer': (call) => ({ analyzer: summary(named(call)) }),
  'accessAnalyzer:CreateAnalyzer': (call) => {
    const { s, i, ctx, region } = call;
    const name = String(i.analyzerName);
    const type = String(i.type);
    const mine = analyzersOf(call);
    if (mine.has(name))
      throw new ConflictException({ message: `Analyzer ${name} already exists`, resourceId: name, resourceType: 'Analyzer', ...meta });
    if (type === 'ORGANIZATION') {
      const allowed = s.org && (s.org.MasterAccountId === ctx.account || s.delegatedAdmins.get(PRINCIPAL)?.has(ctx.account));
      if (!allowed || !s.serviceAccess.has(PRINCIPAL)) {
        throw invalid(
          'An organization analyzer needs the management account or the delegated administrator, and trusted access for Access Analyzer.',
        );
      }
      if ([...mine.values()].some((a) => a.type === 'ORGANIZATION')) {
        throw new ServiceQuotaExceededException({
          message: 'One organization analyzer per account and region',
          resourceId: name,
          resourceType: 'Analyzer',
          ...meta,
        });
      }
    } else if (type !== 'ACCOUNT') {
      throw invalid(`type ${type} is not modelled`);
    }
    const arn = `arn:aws:access-analyzer:${region}:${ctx.account}:analyzer/${name}`;
    mine.set(name, { arn, name, type, status: 'ACTIVE' });
    return { arn };
  },
  'accessAnalyzer:DeleteAnalyzer': (call) => {
    analyzersOf(call).delete(named(call).name);
    return {};
  },
};
