import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { AppError, type ErrorDetail } from '../errors.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is typed as the
// module object, while at run time it is the plugin function itself.
const addFormats = formatsPlugin as unknown as typeof formatsPlugin.default;

/** A compiled check of an event's `data` against a JSON Schema. */
export type DataValidator = ValidateFunction;

/**
 * Compiles a JSON Schema (draft-07) for event data, or throws RAPPORT_VALIDATION naming the part of
 * the schema ajv refused. Strict mode is on, so a misspelt keyword ("requird") is an error rather
 * than a rule that silently never applies. Each schema gets its own ajv instance: two declared
 * types may use the same `$id` without colliding, and an updated schema leaves nothing behind.
 */
export function compileDataSchema(schema: Record<string, unknown>, field = 'dataSchema'): DataValidator {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, logger: false });
  addFormats(ajv);
  if (!ajv.validateSchema(schema)) {
    const issues = (ajv.errors ?? []).map((e) => ({ field: fieldOf(e, field), message: `not a valid JSON Schema: ${e.message ?? e.keyword}` }));
    throw validationError(issues, field);
  }
  if (schema['$async'] === true) throw validationError([{ field: `${field}.$async`, message: 'asynchronous schemas are not supported' }], field);
  if (schema['type'] !== undefined && schema['type'] !== 'object') {
    throw validationError([{ field: `${field}.type`, message: 'event data is always a JSON object, so the schema\'s type must be "object"' }], field);
  }
  try {
    return ajv.compile(schema);
  } catch (err) {
    // Unknown keywords, unresolvable $refs, unknown formats: ajv says which in its message.
    throw validationError([{ field, message: `ajv cannot compile this schema: ${(err as Error).message}` }], field, err);
  }
}

/** The issues of the last failed validation, as fields under `prefix` (e.g. `data.amount`). */
export function dataIssues(validate: DataValidator, prefix: string): ErrorDetail[] {
  return (validate.errors ?? []).map((e) => ({ field: fieldOf(e, prefix), message: messageOf(e) }));
}

function fieldOf(error: ErrorObject, prefix: string): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  // `required` and `additionalProperties` are reported on the parent object; name the property.
  const property = (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty?: string }).additionalProperty;
  if ((error.keyword === 'required' || error.keyword === 'dependencies' || error.keyword === 'dependentRequired' || error.keyword === 'additionalProperties') && property !== undefined) {
    segments.push(property);
  }
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : `${path}.${s}`), prefix);
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'required';
  if (error.keyword === 'additionalProperties') return 'is not allowed by the schema of this event type';
  return error.message ?? `fails ${error.keyword}`;
}

function validationError(issues: ErrorDetail[], fallbackField: string, cause?: unknown): AppError {
  const first = issues[0] ?? { field: fallbackField, message: 'invalid' };
  return new AppError('RAPPORT_VALIDATION', `${first.field}: ${first.message}`, { issues }, cause === undefined ? undefined : { cause });
}
