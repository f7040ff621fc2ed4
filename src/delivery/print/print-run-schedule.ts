import type { Queues } from '../../jobs/queues.js';

export const PRINT_RUN_SCHEDULER_ID = 'print-run-daily';

export interface PrintRunSchedule {
  /** A cron pattern (PRINT_RUN_SCHEDULE), or null when daily runs are off. */
  pattern: string | null;
  /** The zone the pattern is read in (PRINT_RUN_TIME_ZONE): the mail house's clock, not the server's. */
  timeZone: string;
  /** With a print-and-mail provider every note goes out on its own, so there is nothing to batch. */
  provider: boolean;
}

/**
 * Keeps the daily print run's job scheduler in Redis in line with the configuration: created (or
 * changed) when a pattern is set, removed when runs are off or a provider takes the notes. Called by
 * the reconciler, so a flushed Redis gets its schedule back within a minute.
 */
export async function syncPrintRunSchedule(queues: Queues, schedule: PrintRunSchedule): Promise<Record<string, never>> {
  const queue = queues.queue('run-print');
  if (!schedule.pattern || schedule.provider) {
    await queue.removeJobScheduler(PRINT_RUN_SCHEDULER_ID);
    return {};
  }
  await queue.upsertJobScheduler(
    PRINT_RUN_SCHEDULER_ID,
    { pattern: schedule.pattern, tz: schedule.timeZone },
    { name: 'run-print', data: { formats: [], requestedBy: null } },
  );
  return {};
}
