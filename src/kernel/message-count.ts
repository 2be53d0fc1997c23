// ZeroMQ's PUB socket drops messages when its queue is full, and the Jupyter protocol has no sequence numbers. But
// jupyter_client (7 and later, so ipykernel) numbers every message a kernel's session sends: `<session>_<pid>_<n>`.
// Every such message reaches this client (replies to us, broadcasts to all), so a number never seen was dropped.
// Other kernels (tslab, IRkernel) use random ids: nothing can be counted there.

const numbered = /^(.+)_(\d+)$/;

export class MessageCount {
  #session: string | undefined;
  #seen = new Set<number>();
  /** Everything up to this number has been accounted for. */
  #checked: number | undefined;
  #highest = -1;

  /** Notes a received message's id. */
  see(msgId: string): void {
    const match = numbered.exec(msgId);
    if (!match) return;
    const [, session, number] = match;
    if (this.#session === undefined) this.#session = session;
    if (session !== this.#session) return;
    const n = Number(number);
    this.#seen.add(n);
    this.#highest = Math.max(this.#highest, n);
  }

  /** Forgets what went before (messages sent before this client listened are not lost). */
  baseline(): void {
    this.#checked = this.#highest;
    this.#seen.clear();
  }

  /** How many numbers up to `msgId`'s were never seen since the last call (0 for unnumbered kernels). */
  missingUpTo(msgId: string): number {
    const match = numbered.exec(msgId);
    if (!match || match[1] !== this.#session || this.#checked === undefined) return 0;
    const upTo = Number(match[2]);
    let missing = 0;
    for (let n = this.#checked + 1; n <= upTo; n++) {
      if (!this.#seen.delete(n)) missing++;
    }
    this.#checked = Math.max(this.#checked, upTo);
    return missing;
  }
}
