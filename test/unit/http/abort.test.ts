import { linkedAbort } from '../../../src/http/abort';

describe('linkedAbort', () => {
  it("aborts with the parent, and with the parent's reason", () => {
    const parent = new AbortController();
    const linked = linkedAbort(parent.signal);
    const reason = new Error('activity cancelled');
    parent.abort(reason);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe(reason);
  });

  it('starts aborted under an aborted parent', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    expect(linkedAbort(parent.signal).signal.reason).toEqual(new Error('gone'));
  });

  it('aborts on its own without touching the parent, and lets go of the parent once disposed', () => {
    const parent = new AbortController();
    const own = linkedAbort(parent.signal);
    own.abort(new Error('discarded'));
    expect(own.signal.reason).toEqual(new Error('discarded'));
    expect(parent.signal.aborted).toBe(false);

    const done = linkedAbort(parent.signal);
    done.dispose();
    parent.abort(new Error('late'));
    expect(done.signal.aborted).toBe(false);
  });

  it('works without a parent', () => {
    const alone = linkedAbort(undefined);
    expect(alone.signal.aborted).toBe(false);
    alone.abort(new Error('x'));
    expect(alone.signal.aborted).toBe(true);
  });
});
