/**
 * The subset of JSON Schema (OpenAPI 3.0 flavour) the document's answer schemas use: type,
 * nullable, enum, properties, required, additionalProperties (as a schema), items, oneOf, allOf
 * and $ref into components.schemas. Returns where and why a value does not match ([] when it does).
 */
export interface CheckedSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly properties?: Readonly<Record<string, CheckedSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | CheckedSchema;
  readonly items?: CheckedSchema;
  readonly oneOf?: readonly CheckedSchema[];
  readonly allOf?: readonly CheckedSchema[];
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function schemaErrors(value: unknown, schema: CheckedSchema, components: Readonly<Record<string, CheckedSchema>>, at = '$'): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = components[name];
    return target ? schemaErrors(value, target, components, at) : [`${at}: ${schema.$ref} is not in components.schemas`];
  }
  if (value === null && schema.nullable) return [];
  const errors: string[] = [];
  for (const part of schema.allOf ?? []) errors.push(...schemaErrors(value, part, components, at));
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((option) => schemaErrors(value, option, components, at).length === 0).length;
    if (matching !== 1) errors.push(`${at}: matches ${matching} of the ${schema.oneOf.length} oneOf schemas`);
  }
  const actual = typeOf(value);
  if (schema.type && !(actual === schema.type || (schema.type === 'number' && actual === 'integer'))) return [...errors, `${at}: expected ${schema.type}${schema.nullable ? ' or null' : ''}, got ${actual}`];
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) errors.push(`${at}: ${JSON.stringify(value)} is not a date-time`);
    if (schema.format === 'date' && !DATE.test(value)) errors.push(`${at}: ${JSON.stringify(value)} is not a date`);
    if (schema.format === 'uuid' && !UUID.test(value)) errors.push(`${at}: ${JSON.stringify(value)} is not a uuid`);
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, i) => errors.push(...schemaErrors(item, schema.items as CheckedSchema, components, `${at}[${i}]`)));
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${at}.${key}: missing`);
    for (const [key, item] of Object.entries(record)) {
      const property = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (property) errors.push(...schemaErrors(item, property, components, `${at}.${key}`));
    }
  }
  return errors;
}
