import { readFileSync } from 'node:fs';

/**
 * A small reader for the parts of schema.prisma the drift test compares with the live database:
 * models, their scalar fields (type, optional, list, native type), enums, unique constraints,
 * indexes (with the `where: raw("…")` of partial ones) and relations. Not a general Prisma
 * parser — it fails loudly on what it does not know.
 */
export interface PrismaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  nativeType: string | null;
  attributes: string;
}
export interface PrismaModel {
  name: string;
  scalars: PrismaField[];
  relations: { fields: string[]; references: string[]; model: string; onDelete: string | null }[];
  uniques: string[][];
  indexes: string[][];
  /** The `where: raw("…")` predicate of each partial index (preview feature partialIndexes), by its columns joined with ",". */
  indexPredicates: Map<string, string>;
}
export interface PrismaSchema {
  models: PrismaModel[];
  enums: Map<string, string[]>;
}

const SCALARS = new Set(['String', 'Int', 'BigInt', 'Boolean', 'DateTime', 'Decimal', 'Json', 'Float', 'Bytes']);
const listOf = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function readPrismaSchema(file: string): PrismaSchema {
  const source = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
  const enums = new Map<string, string[]>();
  for (const m of source.matchAll(/^enum\s+(\w+)\s*\{\n([\s\S]*?)^\}/gm)) {
    enums.set(m[1]!, m[2]!.split('\n').map((l) => l.trim()).filter(Boolean));
  }
  const modelNames = new Set([...source.matchAll(/model\s+(\w+)\s*\{/g)].map((m) => m[1]!));
  const models: PrismaModel[] = [];
  // Blocks end at a line holding only "}": a `@default("{}")` inside a model must not end it.
  for (const m of source.matchAll(/^model\s+(\w+)\s*\{\n([\s\S]*?)^\}/gm)) {
    const model: PrismaModel = { name: m[1]!, scalars: [], relations: [], uniques: [], indexes: [], indexPredicates: new Map() };
    for (const raw of m[2]!.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const block = /^@@(unique|index|id)\(\[([^\]]*)\]/.exec(line);
      if (block) {
        if (block[1] === 'unique') model.uniques.push(listOf(block[2]!));
        if (block[1] === 'index') model.indexes.push(listOf(block[2]!));
        const where = /\bwhere:\s*(.*)\)$/.exec(line);
        if (where) {
          const predicate = /^raw\("((?:[^"\\]|\\.)*)"\)$/.exec(where[1]!.trim());
          if (!predicate) throw new Error(`prisma-schema reader: only where: raw("…") is read, in model ${model.name}: "${line}"`);
          model.indexPredicates.set(listOf(block[2]!).join(','), predicate[1]!.replace(/\\(.)/g, '$1'));
        }
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`prisma-schema reader: cannot read line "${line}" in model ${model.name}`);
      const [, name, type, list, optional, attributes = ''] = field;
      if (modelNames.has(type!)) {
        const rel = /@relation\((?:"[^"]*",\s*)?(?:name:\s*"[^"]*",\s*)?fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\](?:,\s*onDelete:\s*(\w+))?/.exec(attributes);
        if (rel) model.relations.push({ fields: listOf(rel[1]!), references: listOf(rel[2]!), model: type!, onDelete: rel[3] ?? null });
        continue;
      }
      if (!SCALARS.has(type!) && !enums.has(type!)) throw new Error(`prisma-schema reader: unknown type ${type} of ${model.name}.${name}`);
      const native = /@db\.(\w+(?:\([^)]*\))?)/.exec(attributes);
      model.scalars.push({ name: name!, type: type!, optional: Boolean(optional), list: Boolean(list), nativeType: native?.[1] ?? null, attributes });
      if (/@unique\b/.test(attributes)) model.uniques.push([name!]);
    }
    models.push(model);
  }
  return { models, enums };
}

/** The PostgreSQL type (as information_schema's udt_name) Prisma creates for a field. */
export function expectedUdt(field: PrismaField, enums: Map<string, string[]>): string {
  if (enums.has(field.type)) return field.list ? `_${field.type}` : field.type;
  const base = (() => {
    switch (field.nativeType?.replace(/\(.*\)/, '') ?? field.type) {
      case 'Uuid': return 'uuid';
      case 'Date': return 'date';
      case 'Timestamptz': return 'timestamptz';
      case 'String': return 'text';
      case 'Int': return 'int4';
      case 'BigInt': return 'int8';
      case 'Boolean': return 'bool';
      case 'DateTime': return 'timestamp';
      case 'Decimal': return 'numeric';
      case 'Json': return 'jsonb';
      case 'Float': return 'float8';
      case 'Bytes': return 'bytea';
      default: throw new Error(`expectedUdt: no mapping for ${field.type} @db.${field.nativeType}`);
    }
  })();
  return field.list ? `_${base}` : base;
}
