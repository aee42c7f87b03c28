/**
 * A small JSON Schema (draft-07) checker for the keywords framewire's pipeline
 * schema and the WebSocket message schemas use ($ref only into #/definitions), so tests can check that the schema accepts what framewire
 * accepts without adding a validator dependency. Returns the failing paths.
 */
type Schema = Record<string, unknown>;

export function schemaErrors(schema: Schema, value: unknown, path = '$', root = schema): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/definitions/', '');
    return schemaErrors((root.definitions as Record<string, Schema>)[name]!, value, path, root);
  }
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${path}: ${why}`);
  if ('const' in schema && value !== schema.const) fail(`not ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail('not in enum');
  const types =
    typeof schema.type === 'string' ? [schema.type] : (schema.type as string[] | undefined);
  if (types && !types.some((type) => hasType(value, type))) {
    fail(`not ${types.join(' or ')}`);
    return errors;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail('below minimum');
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail('above maximum');
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      fail('not above exclusiveMinimum');
    }
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string') {
    if (!new RegExp(schema.pattern).test(value)) fail('does not match pattern');
  }
  if (
    typeof value === 'string' &&
    typeof schema.minLength === 'number' &&
    value.length < schema.minLength
  ) {
    fail('too short');
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      fail('too few items');
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      fail('too many items');
    if (schema.items) {
      for (const [i, v] of value.entries()) {
        errors.push(...schemaErrors(schema.items as Schema, v, `${path}[${i}]`, root));
      }
    }
  }
  if (isObject(value)) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[])
      if (!(key in value)) fail(`missing ${key}`);
    for (const [key, v] of Object.entries(value)) {
      if (props[key]) errors.push(...schemaErrors(props[key], v, `${path}.${key}`, root));
      else if (schema.additionalProperties === false) fail(`unexpected ${key}`);
      else if (isObject(schema.additionalProperties)) {
        errors.push(...schemaErrors(schema.additionalProperties, v, `${path}.${key}`, root));
      }
    }
  }
  if (Array.isArray(schema.oneOf)) {
    const matches = schema.oneOf.filter(
      (s) => schemaErrors(s as Schema, value, path, root).length === 0,
    ).length;
    if (matches !== 1) fail(`matches ${matches} of oneOf`);
  }
  if (
    Array.isArray(schema.anyOf) &&
    !schema.anyOf.some((s) => schemaErrors(s as Schema, value, path, root).length === 0)
  ) {
    fail('matches none of anyOf');
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return isObject(value);
  if (type === 'null') return value === null;
  return typeof value === type;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
