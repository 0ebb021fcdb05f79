// Transitional: the journal now lives in the state module (src/drivers/store/Journal.ts); this
// keeps `new Journal(sessionsDir)` working until main.ts uses openState().
import { Journal as StoreJournal, StateStore } from './store/index.ts';

export type { JournalEntry } from './store/index.ts';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

export class Journal extends StoreJournal {
  constructor(sessionsDir: string) {
    super(new StateStore(log), sessionsDir);
  }
}
