import type { PrismaClient } from '../generated/prisma/client.js';
import { AppError } from '../errors.js';
import { compileDataSchema, dataIssues, type DataValidator } from './data-schema.js';
import { BUILT_IN_EVENT_TYPES, isBuiltInEventType } from './event-input.js';
import { BUILT_IN_DATA_SCHEMAS } from './event-types.js';

const builtInValidators = new Map<string, DataValidator>(BUILT_IN_EVENT_TYPES.map((name) => [name, compileDataSchema(BUILT_IN_DATA_SCHEMAS[name])]));

/** The validators for the types a request uses, loaded with one query (see EventTypeRegistry.load). */
export type LoadedEventTypes = ReadonlyMap<string, DataValidator>;

/**
 * Checks that an event's type exists and its `data` fits the type's schema. Compiled validators are
 * cached per process, keyed by the row's `updatedAt`: each request still reads the declared types
 * it uses (one indexed query), so a schema redefined through any process applies at once
 * everywhere, while compiling — the expensive part — happens once per version.
 */
export class EventTypeRegistry {
  private readonly compiled = new Map<string, { version: number; validate: DataValidator }>();

  constructor(private readonly prisma: PrismaClient) {}

  /** Validators for the given type names; unknown names are simply absent from the map. */
  async load(names: Iterable<string>): Promise<LoadedEventTypes> {
    const loaded = new Map<string, DataValidator>();
    const custom = new Set<string>();
    for (const name of names) {
      const builtIn = builtInValidators.get(name);
      if (builtIn) loaded.set(name, builtIn);
      else custom.add(name);
    }
    if (custom.size === 0) return loaded;
    const rows = await this.prisma.eventType.findMany({ where: { name: { in: [...custom] } } });
    for (const row of rows) {
      const version = row.updatedAt.getTime();
      let entry = this.compiled.get(row.name);
      if (entry?.version !== version) {
        entry = { version, validate: this.compileStored(row.name, row.dataSchema) };
        this.compiled.set(row.name, entry);
      }
      loaded.set(row.name, entry.validate);
    }
    return loaded;
  }

  /**
   * Throws RAPPORT_VALIDATION naming `type` (unknown, with the allowed names) or the first field of
   * `data` that breaks the schema (e.g. `data.amount`). `prefix` names the item in a batch.
   */
  async verify(loaded: LoadedEventTypes, event: { type: string; data: Record<string, unknown> }, prefix = ''): Promise<void> {
    const at = (field: string) => (prefix ? `${prefix}.${field}` : field);
    const validate = loaded.get(event.type);
    if (!validate) {
      const message = `unknown event type "${event.type}"; expected ${await this.describeAllowed()}`;
      throw new AppError('RAPPORT_VALIDATION', `${at('type')}: ${message}`, { issues: [{ field: at('type'), message }] });
    }
    if (validate(event.data)) return;
    const issues = dataIssues(validate, at('data'));
    const first = issues[0] ?? { field: at('data'), message: 'does not match the schema of this event type' };
    throw new AppError('RAPPORT_VALIDATION', `${first.field}: ${first.message}`, { issues: issues.length ? issues : [first] });
  }

  /** load + verify for a single event. */
  async check(event: { type: string; data: Record<string, unknown> }, prefix = ''): Promise<void> {
    await this.verify(await this.load([event.type]), event, prefix);
  }

  private async describeAllowed(): Promise<string> {
    const declared = await this.prisma.eventType.findMany({ select: { name: true }, orderBy: { name: 'asc' }, take: 51 });
    const names = declared.map((d) => d.name);
    const custom = names.length === 0 ? 'none declared yet' : names.length > 50 ? `${names.slice(0, 50).join(', ')}, …` : names.join(', ');
    return `a built-in type (${BUILT_IN_EVENT_TYPES.join(', ')}) or one declared at POST /api/v1/event-types (${custom})`;
  }

  private compileStored(name: string, schema: unknown): DataValidator {
    if (isBuiltInEventType(name)) throw new Error(`event type ${name} is built in and cannot be stored`);
    try {
      return compileDataSchema(schema as Record<string, unknown>);
    } catch (err) {
      // It compiled when it was declared; failing now means ajv or the row changed underneath us.
      throw new Error(`The stored schema of event type "${name}" no longer compiles`, { cause: err });
    }
  }
}
