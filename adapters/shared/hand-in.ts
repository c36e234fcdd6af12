/**
 * The ordered hand-in to the router: messages of one chat (a Telegram chat, a Discord channel, the
 * terminal's one conversation) are stored one after another in the order they came, while different
 * chats go on at once. A failed hand-in does not hold up the ones behind it.
 */

export class OrderedHandIn {
  /** The last hand-in queued for each key, while it runs. */
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier hand-in of `key` has settled; resolves (or rejects) as it does. */
  push<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const tail = previous.then(work, work);
    this.#tails.set(key, tail);
    const forget = () => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
    tail.then(forget, forget);
    return tail;
  }

  /** Resolves once every hand-in queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.allSettled(this.#tails.values());
  }
}
