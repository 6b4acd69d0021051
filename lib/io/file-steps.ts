/**
 * File procedures written once, as generators of file operations, and run by two drivers: a
 * sync one over blocking operations (node:fs's *Sync) and an async one over operations that
 * return promises. Each yield is one operation, resumed with its result or with its error
 * thrown in, so a procedure's try/finally cleans up the same way under both (and, in tests,
 * under operations that fail part-way).
 */

/** One operation to run: its name in the operations object and its arguments. */
export type Step<Ops> = { [K in keyof Ops]: Ops[K] extends (...args: infer A) => unknown ? { op: K; args: A } : never }[keyof Ops];

/** The same operations, each returning a promise of its result. */
export type AsyncOps<Ops> = { [K in keyof Ops]: Ops[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

export type Procedure<Ops, R> = Generator<Step<Ops>, R, unknown>;

function call(ops: object, step: { op: PropertyKey; args: unknown[] }): unknown {
  const operation = (ops as Record<PropertyKey, unknown>)[step.op] as (...args: unknown[]) => unknown;
  return operation(...step.args);
}

/** Runs `procedure` with blocking operations; returns what it returns. */
export function runSync<Ops extends object, R>(procedure: Procedure<Ops, R>, ops: Ops): R {
  let next = procedure.next();
  while (next.done !== true) {
    let result: unknown;
    try {
      result = call(ops, next.value as { op: PropertyKey; args: unknown[] });
    } catch (error) {
      next = procedure.throw(error);
      continue;
    }
    next = procedure.next(result);
  }
  return next.value;
}

/** Runs `procedure` with operations that return promises. */
export async function runAsync<Ops extends object, R>(procedure: Procedure<Ops, R>, ops: AsyncOps<Ops>): Promise<R> {
  let next = procedure.next();
  while (next.done !== true) {
    let result: unknown;
    try {
      result = await call(ops, next.value as { op: PropertyKey; args: unknown[] });
    } catch (error) {
      next = procedure.throw(error);
      continue;
    }
    next = procedure.next(result);
  }
  return next.value;
}
