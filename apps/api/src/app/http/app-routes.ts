import { HttpStatus, type INestApplicationContext, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, SSE_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';

/** One route of the running app, as Nest registered it. */
export interface AppRoute {
  readonly controller: new (...args: never[]) => object;
  readonly handlerName: string;
  readonly handler: object;
  readonly method: string;
  /** Express style: /api/patients/:id */
  readonly path: string;
  /** What it answers on success: @HttpCode, else 201 for POST and 200 otherwise. */
  readonly successStatus: number;
  readonly sse: boolean;
}

function joinPath(...parts: Array<string | undefined>): string {
  return `/${parts.flatMap((p) => (p ?? '').split('/')).filter(Boolean).join('/')}`;
}

/**
 * Every route of the app from Nest's own module container and metadata: what the audit-rule test
 * checks, and what the OpenAPI document's success answers are completed from.
 */
export function appRoutes(app: INestApplicationContext): AppRoute[] {
  const scanner = new MetadataScanner();
  return [...app.get(ModulesContainer).values()].flatMap((module) =>
    [...module.controllers.values()].flatMap((wrapper) => {
      const controller = wrapper.metatype as AppRoute['controller'] | null;
      if (!controller) return [];
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
      return scanner.getAllMethodNames(controller.prototype).flatMap((handlerName): AppRoute[] => {
        const handler = (controller.prototype as Record<string, object>)[handlerName] as object;
        const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (verb === undefined) return [];
        const method = RequestMethod[verb];
        const successStatus = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (verb === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
        const sse = Reflect.getMetadata(SSE_METADATA, handler) === true;
        return [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat().map((path) => ({ controller, handlerName, handler, method, path: joinPath(base, path), successStatus, sse }));
      });
    }),
  );
}
