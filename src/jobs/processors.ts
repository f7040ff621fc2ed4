import type { Runtime } from '../infra/runtime.js';
import { deliverEmail } from '../delivery/send-email.js';
import { evaluateEvent } from '../triggers/evaluate-event.js';
import type { Processors } from './queues.js';

/** Thin processors: each calls one domain function; the payload was validated by the worker. */
export function buildProcessors(rt: Runtime): Processors {
  return {
    'evaluate-event': async ({ eventId }) => {
      const result = await evaluateEvent({ prisma: rt.db.prisma, templates: rt.templates }, eventId);
      for (const deliveryId of result.deliveryIds) await rt.queues.enqueue('deliver-email', { deliveryId });
    },
    'deliver-email': async ({ deliveryId }) => {
      await deliverEmail({ prisma: rt.db.prisma, mailer: rt.mailer, mailFrom: rt.config.mail.from }, deliveryId);
    },
  };
}
