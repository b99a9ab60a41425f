import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { object } from '../../src/answers/schema.js';
import { AwsSession } from '../../src/aws/session.js';
import { LostAnswerError } from '../../src/aws/retry.js';
import { batchesOf } from '../../src/engine/apply.js';
import { applyPlan, planAll, type RunOptions } from '../../src/engine/runner.js';
import { StepFailedError } from '../../src/errors.js';
import { TestHost } from '../../src/io/test-host.js';
import { change } from '../../src/kit/builders.js';
import { defineStep, type Step } from '../../src/kit/step.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { TEST_ENV } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** What the test step holds: the things made, and what each handler call and plan saw. */
interface World {
  made: Set<string>;
  calls: string[];
  plans: number;
  /** A handler for a thing, when the test wants one of its own (to wait, to fail). */
  make?: (name: string, world: World) => Promise<void>;
}

/**
 * A step that makes things in memory: `make` changes may run three side by side, `note` changes never
 * do. Its plan wants every thing in `wanted` that is not made, in that order.
 */
function sideBySide(world: World, wanted: string[]): Step {
  type Ops = { make: { name: string }; note: { name: string } };
  const planned = (name: string) => {
    const kind = name.startsWith('note-') ? 'note' : 'make';
    const fields = { address: `test:${name}`, action: 'create' as const, before: null, after: { name }, risk: 'none' as const };
    return change(kind, { name }, { ...fields, summary: `make ${name}` });
  };
  const handler = async (_ctx: unknown, { name }: { name: string }) => {
    world.calls.push(name);
    if (world.make) await world.make(name, world);
    world.made.add(name);
  };
  return defineStep<ReturnType<typeof object>, Ops>({
    id: 'side-by-side',
    title: 'Side by side',
    description: 'Makes things in memory.',
    checks: [{ id: 'test.check', title: 'test' }],
    scope: 'management',
    answers: object({}, { description: 'none' }),
    permissions: { read: [], apply: [] },
    concurrent: { make: 3 },
    async plan() {
      world.plans++;
      return wanted.filter((n) => !world.made.has(n)).map(planned);
    },
    apply: { make: handler, note: handler },
    async verify() {
      return [];
    },
  });
}

async function options(step: Step): Promise<RunOptions> {
  const session = await AwsSession.create({ env: TEST_ENV, credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'B' }) });
  return { host: new TestHost(), session, steps: [step], answers: { version: 1, steps: { [step.id]: {} } }, sleep: async () => undefined };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('changes a step lets run side by side', () => {
  it('form one group only while they are consecutive, of one kind; every other change keeps its place', async () => {
    const world: World = { made: new Set(), calls: [], plans: 0 };
    const opts = await options(sideBySide(world, ['note-1', 'a', 'b', 'note-2', 'c', 'd', 'e', 'f']));
    const { changes, accounts } = await planAll(opts);
    const units = accounts.map((account) => ({ step: opts.steps[0] as Step, account }));
    const cut = batchesOf(changes, units).map(
      (b) => `${b.concurrency}:${b.changes.map((c) => String(c.after?.['name' as never])).join(',')}`,
    );
    expect(cut).toEqual(['1:note-1', '3:a,b', '1:note-2', '3:c,d,e,f']);
  });

  it('run at most the limit at once, and are recorded in plan order whatever order they finish in', async () => {
    let inFlight = 0;
    let most = 0;
    const world: World = {
      made: new Set(),
      calls: [],
      plans: 0,
      // Later things finish first.
      make: async (name) => {
        most = Math.max(most, ++inFlight);
        for (let i = 0; i < 'fedcba'.indexOf(name) + 1; i++) await tick();
        inFlight--;
      },
    };
    const opts = await options(sideBySide(world, ['a', 'b', 'c', 'd', 'e']));
    const { changes } = await planAll(opts);
    const result = await applyPlan(opts, changes);
    expect(result.stopped).toBeUndefined();
    expect(most).toBe(3);
    expect(result.applied.map((c) => c.address)).toEqual(['test:a', 'test:b', 'test:c', 'test:d', 'test:e']);
  });

  it('a lost answer read back leaves the changes made alongside it to themselves, even those started before it', async () => {
    /** Plans before the apply's first change: the plan shown and the re-check at the start of apply. */
    let before = Number.POSITIVE_INFINITY;
    const world: World = {
      made: new Set(),
      calls: [],
      plans: 0,
      make: async (name, w) => {
        // `a` is still on its way while `b` reads back, so the fresh plan still wants `a`.
        if (name === 'a') while (w.plans <= before) await tick();
        if (name === 'b' && w.calls.filter((n) => n === 'b').length === 1) {
          w.made.add('b');
          throw new LostAnswerError('test:Make', new Error('socket hang up'));
        }
      },
    };
    const opts = await options(sideBySide(world, ['a', 'b', 'c']));
    const { changes } = await planAll(opts);
    before = world.plans + 1;
    const result = await applyPlan(opts, changes);
    expect(result.stopped).toBeUndefined();
    // One read back, which made nothing: `a` and `c` were left to their own changes.
    expect(world.plans).toBe(before + 1);
    expect(world.calls.sort()).toEqual(['a', 'b', 'c']);
    expect([...world.made].sort()).toEqual(['a', 'b', 'c']);
  });

  it('a change that fails for all starts no more of its group, lets those in flight finish, then stops the run', async () => {
    const world: World = {
      made: new Set(),
      calls: [],
      plans: 0,
      make: async (name) => {
        if (name === 'b') throw new Error('AWS is down');
        if (name === 'a' || name === 'c') for (let i = 0; i < 5; i++) await tick();
      },
    };
    const opts = await options(sideBySide(world, ['a', 'b', 'c', 'd', 'e', 'note-after']));
    const { changes } = await planAll(opts);
    const result = await applyPlan(opts, changes);
    expect(result.stopped).toBeInstanceOf(StepFailedError);
    expect((result.stopped as Error).message).toContain('AWS is down');
    // a and c were in flight and finished; d and e were never started, nor anything after the group.
    expect(world.calls.sort()).toEqual(['a', 'b', 'c']);
    expect(result.applied.map((c) => c.address)).toEqual(['test:a', 'test:c']);
  });
});
