/**
 * Runs the shared LedgerStore spec against both backends: a WAL file in a temp dir and an
 * in-memory database. Both must behave identically.
 */
import path from 'node:path';
import { openLedger } from '../../../src/core/ledger/index.ts';
import { tempDir } from './helpers.ts';
import { ledgerStoreSpec } from './ledger-store.case.ts';

let n = 0;
ledgerStoreSpec('sqlite file (WAL)', ({ now, newId }) => openLedger({ path: path.join(tempDir(), `ledger-${++n}.db`), now, newId }));
ledgerStoreSpec('sqlite :memory:', ({ now, newId }) => openLedger({ path: ':memory:', now, newId }));
