// Waiting in tests for something another part does (a worker, a server, a child process). There is
// no budget: how fast the machine is must not decide a test. The long bound only turns a hang into
// a failure that names what never happened.

/** Far longer than anything awaited takes on a busy machine; reached only when it never happens. */
export const PATIENCE_MS = 120_000;

/** Waits until `check` answers true (it may be async). */
export async function until(check: () => boolean | Promise<boolean>, what = 'a condition'): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > PATIENCE_MS) throw new Error(`never happened: ${what} (waited ${PATIENCE_MS / 1000} s)`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until `check` answers a value, and answers it. */
export async function waitFor<T>(check: () => T | undefined | false, what: string): Promise<T> {
  let value: T | undefined | false;
  await until(() => Boolean((value = check())), what);
  return value as T;
}
