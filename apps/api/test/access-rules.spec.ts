import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { Storage } from '@homeward/storage';
import { AppModule } from '../src/app/app.module';
import { PUBLIC, ROLES } from '../src/app/auth/access.decorators';

// Every HTTP endpoint must say who may call it: @Public() or @Roles(...). An endpoint without an
// explicit rule fails here (and the global guard refuses it at run time).
describe('access rules', () => {
  type Controller = new (...args: never[]) => object;
  /** The controllers of a module and of every module it imports (static or dynamic). */
  function controllersOf(module: unknown, seen = new Set<unknown>()): Controller[] {
    if (!module || seen.has(module)) return [];
    seen.add(module);
    const dynamic = module as { module?: unknown; controllers?: Controller[]; imports?: unknown[] };
    const target = (typeof module === 'function' ? module : dynamic.module) as object | undefined;
    const metadata = <T>(key: string): T[] => (target ? ((Reflect.getMetadata(key, target) as T[] | undefined) ?? []) : []);
    const own = [...(dynamic.controllers ?? []), ...metadata<Controller>('controllers')];
    const imports = [...(dynamic.imports ?? []), ...metadata<unknown>('imports')];
    return [...new Set([...own, ...imports.flatMap((m) => controllersOf(m, seen))])];
  }
  const module = AppModule.forRoot({} as Storage, { rulesEngine: { enabled: false } });
  const controllers = controllersOf(module);

  it('finds the controllers', () => {
    expect(controllers.length).toBeGreaterThanOrEqual(3);
  });

  const routes = controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => ({ controller, name, handler: (controller.prototype as Record<string, unknown>)[name] }))
      .filter((r) => typeof r.handler === 'function' && Reflect.getMetadata(METHOD_METADATA, r.handler) !== undefined),
  );

  it.each(routes.map((r) => [`${r.controller.name}.${r.name} (${String(Reflect.getMetadata(PATH_METADATA, r.controller))})`, r]))('%s has an access rule', (_label, route) => {
    const { controller, handler } = route as (typeof routes)[number];
    const rule = [PUBLIC, ROLES].some((key) => Reflect.getMetadata(key, handler as object) !== undefined || Reflect.getMetadata(key, controller) !== undefined);
    expect(rule).toBe(true);
  });
});
