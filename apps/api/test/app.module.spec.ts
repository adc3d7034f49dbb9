import { NestFactory } from '@nestjs/core';
import { type Storage, prepare } from '@homeward/storage';
import { PgliteDatabase } from '@homeward/storage/pglite';
import { AppModule, RulesEngineService, createApiApp } from '../src';

let storage: Storage;
beforeAll(async () => {
  storage = await prepare(await PgliteDatabase.create({ timescale: false }), { mode: 'embedded', engine: 'plain' });
}, 30_000);
afterAll(async () => {
  await storage?.close();
});

describe('AppModule', () => {
  it('runs the rules engine in the api by default, and stops it when the app closes', async () => {
    const app = await createApiApp({ storage, logLevel: 'error' });
    await app.init();
    const engine = app.get(RulesEngineService);
    expect(engine.isRunning).toBe(true);
    await app.close();
    expect(engine.isRunning).toBe(false);
  });

  it('leaves the engine off when told (another process runs it)', async () => {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(storage, { rulesEngine: { enabled: false } }), { logger: false });
    await context.init();
    expect(context.get(RulesEngineService).isRunning).toBe(false);
    await context.close();
  });
});
