/**
 * A hook for everyone who caches what IAM stores (the authorizer's per-principal policy cache):
 * listeners run after every successful IAM mutation.
 */
export type IamWriteListener = (event: { accountId: string; operation: string }) => void;

const listeners = new Set<IamWriteListener>();

/** Registers a listener; returns a function that removes it. */
export function onIamWrite(listener: IamWriteListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyIamWrite(accountId: string, operation: string): void {
  for (const listener of listeners) {
    try {
      listener({ accountId, operation });
    } catch {
      // A failing cache listener must not turn a committed IAM write into an error.
    }
  }
}
