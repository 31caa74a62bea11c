// The built-in drivers, by the name a scenario gives (`driver: 'browser'` is the default).
import { browserDriver } from './browser/driver.ts';
import { protocolDriver } from './protocol/driver.ts';
import { protocolMediaDriver } from './protocol-media/driver.ts';
import type { Driver } from './driver.ts';

export const builtInDrivers: Readonly<Record<string, Driver>> = {
  browser: browserDriver,
  protocol: protocolDriver,
  protocolMedia: protocolMediaDriver,
};

export const defaultDriverName = 'browser';
