import { recordEmailsSent, type EmailSent, type EmailSql, type SendRefused } from './email-transitions.js';

/**
 * Where a batch's accepted sends wait to be recorded as sent: in the statement of the lane's next
 * claim (see claimAndRecordEmails), or in statements of their own when no claim is coming.
 */
export interface SentRecorder {
  add(sent: EmailSent): void;
  /** Takes the sends waiting to be recorded, for the caller's statement (see claimAndRecordEmails). */
  take(): EmailSent[];
  /** Counts sends the caller recorded, and keeps the refusals for `idle`. */
  settle(sends: readonly EmailSent[], refused: readonly SendRefused[]): void;
  /** Gives back taken sends the caller could not record: they are recorded on their own. */
  putBack(sends: readonly EmailSent[]): void;
  /** Resolves once everything added is recorded; throws the first send that could not be. */
  idle(): Promise<void>;
}

/**
 * A "sent" record waits up to this long for others to share its statement, unless this many are
 * waiting already: most of a record's cost is per statement (measured: about 0.6 ms of PostgreSQL
 * time fixed, 0.1 ms per send), and the wait delays only the record, never a send. While the lane
 * will claim again, a claim comes every few sends and takes the records with it, so the bounds only
 * matter for a claim that is late (a domain at its cap, a spent rate budget) and for the sends
 * accepted after the lane's last claim, which the lane's end records at once (`idle`). (Waiting 5 ms
 * or ten sends there took about three statements per lane for its last twenty sends.)
 */
const RECORD_WAIT = { sends: 100, ms: 25 };

/**
 * Records accepted sends: with the lane's next claim (take/settle), or in one statement per flush
 * of their own, for what gathered or arrived while the last one ran.
 */
export function sentRecorder(sql: EmailSql, report: { sent: number }): SentRecorder {
  let pending: EmailSent[] = [];
  let flushing: Promise<void> | undefined;
  let gathering: NodeJS.Timeout | undefined;
  const errors: unknown[] = [];
  const settle = (sends: readonly EmailSent[], refused: readonly SendRefused[]) => {
    report.sent += sends.length - refused.length;
    errors.push(...refused.map((r) => r.error));
  };
  const flush = (): Promise<void> =>
    (flushing ??= (async () => {
      clearTimeout(gathering);
      gathering = undefined;
      while (pending.length) {
        const sends = pending;
        pending = [];
        try {
          settle(sends, await recordEmailsSent(sql, sends, new Date()));
        } catch (err) {
          errors.push(err);
        }
      }
    })().finally(() => (flushing = undefined)));
  const gather = () => {
    if (pending.length >= RECORD_WAIT.sends) void flush();
    else
      gathering ??= setTimeout(() => {
        gathering = undefined;
        void flush();
      }, RECORD_WAIT.ms);
  };
  return {
    add(sent) {
      pending.push(sent);
      gather();
    },
    take() {
      clearTimeout(gathering);
      gathering = undefined;
      const sends = pending;
      pending = [];
      return sends;
    },
    settle,
    putBack(sends) {
      pending.unshift(...sends);
      if (pending.length) void flush();
    },
    async idle() {
      clearTimeout(gathering);
      gathering = undefined;
      while (pending.length || flushing) await flush();
      if (errors.length) throw errors[0];
    },
  };
}
