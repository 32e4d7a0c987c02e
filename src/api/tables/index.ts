import { apiRegistrationPrinters } from './apiregistration-tables.js';
import type { KindPrinter } from './common.js';
import { corePrinters } from './core-tables.js';
import { groupPrinters } from './group-tables.js';
import { storagePrinters } from './storage-tables.js';

/** The Table printers of the built-in kinds beyond the original set, keyed by kind. */
export const kindPrinters: Readonly<Record<string, KindPrinter>> = {
  ...corePrinters,
  ...groupPrinters,
  ...storagePrinters,
  ...apiRegistrationPrinters,
};
