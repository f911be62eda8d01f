import { HistoryStore } from '../../src/main/history/history-store';

/** The entries of the history database at `db`, newest first, read and closed again. */
export function historyOf(db: string) {
  const history = HistoryStore.open(db);
  try {
    return history.list();
  } finally {
    history.close();
  }
}
