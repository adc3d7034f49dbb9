// Lint fixture (never compiled or run): a library importing an app must fail the boundary rule.
import { startGateway } from '@homeward/gateway';
import { AppModule } from '@homeward/api';

export const used = [startGateway, AppModule];
