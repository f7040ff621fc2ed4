import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/**
 * Maps every error to `{ error: { code, message, field? } }`: application errors by their registry
 * entry, fastify's own (bad JSON, body too large, unknown route) to matching codes, anything else
 * to RAPPORT_INTERNAL with the details only in the log.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send(err.toJSON());
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      return reply.status(400).send(new AppError('RAPPORT_MALFORMED_JSON', `The request body is not valid JSON: ${err.message}`, { field: '(body)' }).toJSON());
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send(new AppError('RAPPORT_PAYLOAD_TOO_LARGE').toJSON());
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.status(400).send(new AppError('RAPPORT_MALFORMED_JSON', 'The request body is empty; expected a JSON object', { field: '(body)' }).toJSON());
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'RAPPORT_UNSUPPORTED_MEDIA_TYPE', message: 'Send JSON with Content-Type: application/json' } });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: 'RAPPORT_BAD_REQUEST', message: err.message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(new AppError('RAPPORT_INTERNAL').toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new AppError('RAPPORT_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`).toJSON()),
  );
}
