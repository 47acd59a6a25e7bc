/**
 * A request's view of the store that reads each document at most once: the authorizer and the
 * handler of one request often need the same record (the user a GetUser names), and each SQLite
 * read costs more than the rest of a small request. Writes through the view forget what they
 * touch; SQL and transactions forget everything, since their effects are unknown here.
 */
import type { DocKey, Store, StoredDoc } from './types.ts';

function memoKey(key: DocKey): string {
  return `${key.kind}\u0000${key.account}\u0000${key.region}\u0000${key.id}`;
}

/** A request's view keeps the store it wraps under this key (see baseStore). */
const BASE_STORE = Symbol('baseStore');

/**
 * The long-lived store behind a request's view (or the store itself): what per-store state such
 * as a background timer or a cache must be keyed by, since each request gets a new view.
 */
export function baseStore(store: Store): Store {
  return (store as Store & { [BASE_STORE]?: Store })[BASE_STORE] ?? store;
}

export function withReadMemo(store: Store): Store {
  const memo = new Map<string, Promise<StoredDoc<unknown> | undefined>>();
  const view: Store & { [BASE_STORE]: Store } = {
    [BASE_STORE]: baseStore(store),
    dialect: store.dialect,
    get<T>(key: DocKey) {
      const id = memoKey(key);
      let found = memo.get(id);
      if (!found) {
        found = store.get<unknown>(key);
        memo.set(id, found);
        found.catch(() => memo.delete(id));
      }
      return found as Promise<StoredDoc<T> | undefined>;
    },
    async put(key, value, opts) {
      memo.delete(memoKey(key));
      try {
        return await store.put(key, value, opts);
      } finally {
        memo.delete(memoKey(key));
      }
    },
    async delete(key, opts) {
      memo.delete(memoKey(key));
      try {
        return await store.delete(key, opts);
      } finally {
        memo.delete(memoKey(key));
      }
    },
    list: (q) => store.list(q),
    sql(text, params) {
      memo.clear();
      return store.sql(text, params);
    },
    async transaction(fn) {
      memo.clear();
      try {
        return await store.transaction(fn);
      } finally {
        memo.clear();
      }
    },
    migrate: (owner, migrations) => store.migrate(owner, migrations),
    close: () => store.close(),
  };
  return view;
}
