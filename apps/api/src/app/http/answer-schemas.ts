import { SetMetadata } from '@nestjs/common';

/**
 * The success bodies of the OpenAPI document (issue 17), as JSON schemas written once per area
 * (see each area's *.answers.ts) and attached to a handler with @Answers; describeResponses puts
 * them on the route's real success status and the named ones under components.schemas.
 */
export type JsonSchema = { readonly [key: string]: unknown };

export const ANSWER_SCHEMA = 'homeward:answer-schema';

const named = new Map<string, JsonSchema>();

/** A schema under components.schemas, by name: what @Answers and other schemas refer to. */
export function component(name: string, schema: JsonSchema): JsonSchema {
  named.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/** Every schema registered with component(), for the document. */
export const answerComponents = (): Record<string, JsonSchema> => Object.fromEntries(named);

/** The route's success answer: its JSON body, and any other media type it can answer in (CSV on `format=csv`). */
export const Answers = (schema: JsonSchema, otherMedia: Readonly<Record<string, JsonSchema>> = {}) =>
  SetMetadata(ANSWER_SCHEMA, { 'application/json': { schema }, ...Object.fromEntries(Object.entries(otherMedia).map(([media, other]) => [media, { schema: other }])) });

export const string: JsonSchema = { type: 'string' };
export const uuid: JsonSchema = { type: 'string', format: 'uuid' };
export const dateTime: JsonSchema = { type: 'string', format: 'date-time' };
export const date: JsonSchema = { type: 'string', format: 'date' };
export const integer: JsonSchema = { type: 'integer' };
export const number: JsonSchema = { type: 'number' };
export const boolean: JsonSchema = { type: 'boolean' };
/** Any JSON object (free-form details, care plans). */
export const anyObject: JsonSchema = { type: 'object', additionalProperties: true };
/** Any JSON value. */
export const anyValue: JsonSchema = {};

export const oneOf = (...values: readonly (string | number)[]): JsonSchema => ({ type: typeof values[0] === 'number' ? 'integer' : 'string', enum: values });
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const mapOf = (values: JsonSchema): JsonSchema => ({ type: 'object', additionalProperties: values });
/** The value or null (a $ref is wrapped, since OpenAPI 3.0 ignores siblings of $ref). */
export const nullable = (schema: JsonSchema): JsonSchema => (schema['$ref'] ? { nullable: true, allOf: [schema] } : { ...schema, nullable: true });

/** An object whose `required` fields are always present and `optional` ones sometimes. */
export const object = (required: Readonly<Record<string, JsonSchema>>, optional: Readonly<Record<string, JsonSchema>> = {}): JsonSchema => ({
  type: 'object',
  required: Object.keys(required),
  properties: { ...required, ...optional },
});
