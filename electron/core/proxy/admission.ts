// How many new proxied requests start in one turn of the event loop. A burst of arrivals (hundreds of streams opened
// at once) would otherwise be handled in a single turn — reading each body, opening each upstream connection — while
// the chunks of streams already running wait behind it (measured: one 41–62 ms turn for 500 arrivals). Past
// `perTurn` starts in a turn, a request waits for a later turn, in arrival order; between two turns Node reads the
// sockets again, so the chunks in flight reach their clients. Below that rate nothing waits, and no promise is made.
export const STARTS_PER_TURN = 16;

export interface Admission {
  /** null: start now. Otherwise a promise that resolves when this request's turn has come. */
  enter(): Promise<void> | null;
  /** Requests waiting for a turn (for tests and figures). */
  readonly waiting: number;
}

export function createAdmission(perTurn = STARTS_PER_TURN, nextTurn: (fn: () => void) => void = setImmediate): Admission {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a positive integer');
  let started = 0;
  let armed = false;
  let queue: (() => void)[] = [];
  let head = 0;
  const turn = () => {
    armed = false;
    started = 0;
    while (started < perTurn && head < queue.length) {
      const go = queue[head++] as () => void;
      started++;
      go();
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    // Starts made in this turn count against it until the next one resets the count.
    if (started > 0) arm();
  };
  const arm = () => {
    if (armed) return;
    armed = true;
    nextTurn(turn);
  };
  return {
    enter() {
      if (started < perTurn && head === queue.length) {
        started++;
        arm();
        return null;
      }
      arm();
      return new Promise<void>((resolve) => queue.push(resolve));
    },
    get waiting() {
      return queue.length - head;
    },
  };
}
