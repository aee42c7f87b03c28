// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the schema describes the ${…} syntax
import type { ComponentRegistries } from '../core/component.ts';
import {
  type AnyDefinition,
  optionFields,
  pipelineFields,
  SECTIONS,
  type Section,
} from './pipeline-fields.ts';
import { typeOf } from './reference.ts';
import type { Field, Fields } from '../core/schema.ts';

type JsonSchema = Record<string, unknown>;

/**
 * A draft-07 JSON Schema of pipeline files, for editors (completion, hover docs,
 * squiggles), derived from the same declarations as validation. A number,
 * boolean or enum option also accepts a `${VAR}` string, since framewire checks
 * such values after substitution.
 */
export function pipelineJsonSchema(registries: ComponentRegistries): JsonSchema {
  const properties: Record<string, JsonSchema> = fieldsSchema(pipelineFields).properties as Record<
    string,
    JsonSchema
  >;
  for (const section of SECTIONS) {
    const one = componentChoice(section, registries);
    properties[section.key] = section.list
      ? {
          description: section.doc,
          type: 'array',
          items: one,
          ...(section.minItems > 0 ? { minItems: section.minItems } : { default: [] }),
        }
      : { description: section.doc, ...one };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'framewire pipeline',
    description:
      'A framewire pipeline file: one source, stages applied in order, one or more sinks.',
    type: 'object',
    properties,
    definitions: { variable: VARIABLE_SCHEMA },
    required: SECTIONS.filter((s) => s.minItems > 0).map((s) => s.key),
    additionalProperties: false,
  };
}

/** One of the section's component types, told apart by `type`. */
function componentChoice(section: Section, registries: ComponentRegistries): JsonSchema {
  const registry = section.registry(registries);
  const variants = registry
    .names()
    .sort()
    .map((name) => componentSchema(section, name, registry.find(name)!));
  const base = { type: 'object', required: ['type'] };
  return variants.length === 0 ? base : { ...base, oneOf: variants };
}

function componentSchema(section: Section, name: string, def: AnyDefinition): JsonSchema {
  const options = fieldsSchema(optionFields(section.kind, def));
  return {
    title: `${name} (${section.kind})`,
    description: def.doc,
    type: 'object',
    properties: {
      type: { const: name, description: `${section.kind} type` },
      ...(options.properties as object),
    },
    required: ['type', ...(options.required as string[])],
    additionalProperties: false,
  };
}

function fieldsSchema(fields: Fields): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(fields)) {
    properties[key] = fieldSchema(field);
    if (field.default === undefined && !field.optional) required.push(key);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

const VARIABLE_SCHEMA = {
  description: 'an environment variable, ${VAR} or ${VAR:-default}; checked after substitution',
  type: 'string',
  pattern: '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$',
};
const VARIABLE = { $ref: '#/definitions/variable' };

/** A field's schema: doc and default outside, so editors show them whichever branch applies. */
export function fieldSchema(field: Field): JsonSchema {
  const common: JsonSchema = { description: field.doc };
  // A pattern cannot say it readably, so the editor's hover text does.
  if (field.kind === 'size') common.description = `${field.doc} (${typeOf(field)})`;
  if (field.default !== undefined) common.default = field.default;
  if (field.kind === 'string' || field.kind === 'list' || field.kind === 'object') {
    return { ...common, ...valueSchema(field) };
  }
  const options = field.kind === 'union' ? (field.options as readonly Field[]) : [field];
  return { ...common, anyOf: [...options.map(valueSchema), VARIABLE] };
}

/** What a value of the field looks like after `${…}` substitution. */
function valueSchema(field: Field): JsonSchema {
  switch (field.kind) {
    case 'string':
      return { type: 'string', ...pick(field, ['minLength']) };
    case 'size':
      // The range and evenness are in the description; a pattern for them would be unreadable.
      return { type: 'string', pattern: '^[0-9]{1,6}x[0-9]{1,6}$' };
    case 'number':
      return {
        type: field.integer ? 'integer' : 'number',
        ...rename(field, { min: 'minimum', max: 'maximum', exclusiveMin: 'exclusiveMinimum' }),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: [...field.values] };
    case 'list':
      return {
        type: 'array',
        items: fieldSchema(field.item as Field),
        ...pick(field, ['minItems', 'maxItems']),
      };
    case 'object':
      return fieldsSchema(field.fields as Fields);
    case 'union':
      // anyOf, not oneOf: an integer also matches a number alternative.
      return { anyOf: (field.options as readonly Field[]).map(valueSchema) };
  }
}

function pick(field: object, keys: readonly string[]): JsonSchema {
  return rename(field, Object.fromEntries(keys.map((k) => [k, k])));
}

function rename(field: object, names: Record<string, string>): JsonSchema {
  const out: JsonSchema = {};
  for (const [from, to] of Object.entries(names)) {
    const v = (field as Record<string, unknown>)[from];
    if (v !== undefined) out[to] = v;
  }
  return out;
}
