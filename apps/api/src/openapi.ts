import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { appRoutes } from './app/http/app-routes';
import { describeResponses } from './app/http/openapi-responses';

export const OPENAPI_PATH = 'api/docs';

/**
 * The OpenAPI document, generated from the code: paths, parameters and body types from the Nest
 * controllers, and each body's JSON schema from the same class-validator decorators that validate
 * it (class-validator-jsonschema), so the document cannot drift from what the API accepts.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Homeward API')
    .setDescription('Remote monitoring and virtual wards: registry, readings, trends, NEWS2, alerts, live stream and audit. Sign in at POST /api/auth/sign-in and send the token as a bearer token.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Our own decorators, described like the built-in ones they stand beside.
  const schemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    additionalConverters: { isZonedTimestamp: { type: 'string', format: 'date-time', description: 'ISO 8601 with a time zone (Z or ±hh:mm), from 2000-01-01 to a year ahead' } },
  });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(schemas as NonNullable<OpenAPIObject['components']>['schemas']) } };
  // Every answer of every route: success with its real status, errors with the ProblemFilter's body.
  describeResponses(document, appRoutes(app));
  return document;
}

/** Serves the document at /api/docs (a browsable page) and /api/docs-json. */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: `${OPENAPI_PATH}-json` });
}
