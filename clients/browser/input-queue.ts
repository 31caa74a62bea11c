// One page has one mouse and one keyboard, and Playwright does not queue actions: two clicks
// started together interleave their move / down / up, so both land on the last target and the
// other is lost while Playwright reports success (microsoft/playwright#22339, closed "won't fix":
// "clicks should always happen after each other"). A fill is focus-then-insert, so a click in
// between sends the text elsewhere. Journeys act in parallel (mixedUsage clicks a voice channel
// while it reacts to a message and types the next one: a smoke run lost the voice click), so a
// driver runs every input action on a page through one InputQueue.

/** Runs input actions one at a time, in the order they were asked for. */
export class InputQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(action: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(action);
    this.#tail = result.catch(() => {}); // a failed action does not block the ones after it
    return result;
  }
}
